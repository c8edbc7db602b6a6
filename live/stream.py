"""A tip's server-sent events: `id:`/`event:`/`data:` frames, heartbeats, the end.

Frames:
- `event: status` with `id: <TipStreamEvent id>`: a stored event (a status move),
  replayed after `Last-Event-ID` on reconnection, each exactly once;
- `event: status` without an id: the tip's public state when it differs from what
  was last sent (new confirmations move no status, so they have no stored event);
- `event: final`: the tip can no longer change (live.selectors.FINAL_CONFIRMATIONS);
  the stream ends and the page stops listening;
- `: heartbeat` comments, so proxies and browsers keep an idle connection open.

Served under ASGI only (uvicorn: production and `make run`), one asyncio task per
connection; under WSGI the view answers 204 and the page polls (live.views).
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import itertools
import json
import math
from collections.abc import AsyncGenerator, Callable
from typing import Any, ParamSpec, TypeVar

from asgiref.sync import sync_to_async
from django.db import close_old_connections
from django.utils import timezone

from live.fanout import HEARTBEAT_SECONDS, hub
from live.selectors import StreamRead, stream_read

RETRY = "retry: 3000\n\n"
HEARTBEAT = ": heartbeat\n\n"
FINAL = "event: final\ndata: {}\n\n"
P = ParamSpec("P")
R = TypeVar("R")
# A connection ends after this long even if the tip can still change; the browser
# reconnects at once with Last-Event-ID, missing nothing (bounds a connection's life).
MAX_STREAM_SECONDS = 30 * 60


def frame(data: dict[str, Any], *, event_id: int | None = None) -> str:
    head = f"id: {event_id}\n" if event_id is not None else ""
    return f"{head}event: status\ndata: {json.dumps(data, separators=(',', ':'))}\n\n"


class Cursor:
    """What one connection has sent: the last event id and the last state."""

    def __init__(self, after: int) -> None:
        self.after = after
        self.sent: dict[str, Any] = {}

    def frames(self, read: StreamRead) -> str:
        out = []
        for event in read.events:
            out.append(frame(event.data, event_id=event.pk))
            self.after = event.pk
            self.sent = event.data
        if any(self.sent.get(key) != value for key, value in read.state.items()):
            out.append(frame(read.state))
            self.sent = read.state
        if read.final:
            out.append(FINAL)
        return "".join(out)


def released(read: Callable[P, R]) -> Callable[P, R]:
    """`read`, then let this thread's database connection go if it is done with: a pooled
    connection (BITCACHE_DB_POOL_SIZE) goes back to the pool after each read, so the few
    threads that read for every stream never hold the pool's connections between reads;
    a persistent one stays until its CONN_MAX_AGE, as it would between requests."""

    @functools.wraps(read)
    def run(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return read(*args, **kwargs)
        finally:
            close_old_connections()

    return run


@released
def _read(tip_id: str, after: int) -> StreamRead | None:
    return stream_read(tip_id, after=after, now=timezone.now())


# Reads in flight, by (loop, tip, cursor): the viewers of one tip woken by one event
# share one read instead of each querying the database (1,000 viewers: one read).
# A connection joins only a read that started after its last wake-up (`since`), so a
# shared read never predates the event that woke it.
_sequence = itertools.count()
_inflight: dict[tuple[Any, ...], tuple[int, asyncio.Future[Any]]] = {}


async def shared_call(key: tuple[Any, ...], read: Callable[[], R], *, since: int) -> R:
    """`read()` on a pool thread, shared by every caller of this loop with the same `key`
    whose last wake-up (`since`) is older than a read already in flight."""
    key = (id(asyncio.get_running_loop()), *key)
    entry = _inflight.get(key)
    if entry is None or entry[0] < since:
        # Not thread-sensitive: reads of different keys run at once on pool threads.
        entry = (
            next(_sequence),
            asyncio.ensure_future(sync_to_async(read, thread_sensitive=False)()),
        )
        _inflight[key] = entry
        future = entry[1]
        future.add_done_callback(
            lambda done: _inflight.pop(key) if _inflight.get(key, (0, None))[1] is done else None
        )
    result: R = await asyncio.shield(entry[1])
    return result


async def shared_read(tip_id: str, after: int, *, since: int) -> StreamRead | None:
    return await shared_call((tip_id, after), functools.partial(_read, tip_id, after), since=since)


# Polls without news happen on a clock shared by the process: every connection to one tip
# times out at the same tick and the first one to wake allocates the tick's sequence
# number, so all of them share one read (5,000 idle viewers of 100 tips: 100 reads per
# poll period, not 5,000). Keyed like _inflight; an entry goes with the tip's last viewer.
_ticks: dict[tuple[int, str], tuple[int, int]] = {}


def next_tick(now: float, period: float) -> int:
    """The index of the first tick strictly after `now` (ticks fall on multiples of period)."""
    return math.floor(now / period) + 1


def tick_sequence(loop_id: int, tip_id: str, tick: int) -> int:
    """One sequence number per (tip, or other stream key, and tick) in this loop: what
    `shared_read` / `shared_call` share on."""
    key = (loop_id, tip_id)
    known = _ticks.get(key)
    if known is None or known[0] != tick:
        known = (tick, next(_sequence))
        _ticks[key] = known
    return known[1]


class Listener:
    """One connection's wake-ups on a Hub channel: `wait()` returns at news (True) or at
    the next poll tick shared by the connections with the same `key` in this process
    (False), and `woken` is what a shared read must have started after to show the
    connection what woke it (shared_call's `since`). A context manager: subscribed while
    the connection lasts; the key's tick goes with the channel's last connection."""

    def __init__(self, channel: str, key: str) -> None:
        self.channel, self.key = channel, key
        self.loop = asyncio.get_running_loop()
        self.news = asyncio.Event()
        self.woken = next(_sequence)

    def _arrived(self) -> None:
        self.woken = next(_sequence)  # a read that starts later sees what woke us
        self.news.set()

    def _wake(self) -> None:
        with contextlib.suppress(RuntimeError):  # a closed loop: the connection is gone
            self.loop.call_soon_threadsafe(self._arrived)

    def __enter__(self) -> Listener:
        hub.subscribe(self.channel, self._wake)
        return self

    def __exit__(self, *exc: object) -> None:
        hub.unsubscribe(self.channel, self._wake)
        if not hub.watched(self.channel):
            _ticks.pop((id(self.loop), self.key), None)

    def reading(self) -> None:
        """Call before each read: news that arrives during the read is not lost."""
        self.news.clear()

    async def wait(self) -> bool:
        period = hub.poll_seconds()
        tick = next_tick(self.loop.time(), period)
        try:
            await asyncio.wait_for(self.news.wait(), tick * period - self.loop.time())
        except TimeoutError:
            # No news: a poll, shared with the key's other connections at this tick.
            self.woken = tick_sequence(id(self.loop), self.key, tick)
            return False
        return True


async def tip_stream_async(tip_id: str, *, after: int) -> AsyncGenerator[str, None]:
    loop = asyncio.get_running_loop()
    cursor = Cursor(after)
    with Listener(tip_id, tip_id) as listener:
        yield RETRY
        started = last_write = loop.time()
        while True:
            listener.reading()
            read = await shared_read(tip_id, cursor.after, since=listener.woken)
            if read is None:
                return
            if frames := cursor.frames(read):
                yield frames
                last_write = loop.time()
            if read.final or loop.time() - started >= MAX_STREAM_SECONDS:
                return
            if not await listener.wait() and loop.time() - last_write >= HEARTBEAT_SECONDS:
                yield HEARTBEAT
                last_write = loop.time()
