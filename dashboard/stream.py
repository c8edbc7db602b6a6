"""The creator's dashboard as server-sent events: one connection per open dashboard page.

Frames:
- `event: tips` with `id: <cursor>` (dashboard.live.Cursor: the last TipEvent id, the
  read's time and snapshot): the rows of the creator's tips that moved since the
  cursor, and the overview's totals when the page shows them. One frame per read, so
  the browser's Last-Event-ID is always a whole read's cursor: a reconnection resumes
  after it, each move sent exactly once, late commits included;
- `: heartbeat` comments keep an idle connection open through proxies; each carries the
  latest read's cursor as its `id:` (an id without data sets the browser's
  Last-Event-ID and dispatches nothing), so a reconnection after a quiet hour resumes
  from a fresh cursor, not from the page's.

Woken through live.fanout's Hub (key `dashboard:<creator id>`, published after the
commit of a TipEvent of that creator: dashboard.receivers); between wake-ups the
connection reads every HEARTBEAT_SECONDS with Redis, FALLBACK_POLL_SECONDS without.
Served under ASGI only, like a tip's stream (dashboard.events).
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncGenerator

from asgiref.sync import sync_to_async

from creators.models import Creator
from dashboard.live import Cursor, DashboardRead, dashboard_read
from live.fanout import HEARTBEAT_SECONDS
from live.stream import Listener, released

RETRY = "retry: 3000\n\n"
HEARTBEAT = ": heartbeat\n\n"
# A connection ends after this long; the browser reconnects at once with Last-Event-ID.
MAX_STREAM_SECONDS = 30 * 60


def dashboard_channel(creator_id: int) -> str:
    return f"dashboard:{creator_id}"


def frame(read: DashboardRead) -> str:
    body = json.dumps({"tips": read.tips, "totals": read.totals}, separators=(",", ":"))
    return f"id: {read.cursor}\nevent: tips\ndata: {body}\n\n"


@released
def _read(creator: Creator, cursor: Cursor, totals: bool) -> DashboardRead:
    return dashboard_read(creator, cursor, totals=totals)


async def dashboard_stream_async(
    creator: Creator, *, cursor: Cursor, totals: bool
) -> AsyncGenerator[str, None]:
    loop = asyncio.get_running_loop()
    channel = dashboard_channel(creator.pk)
    read_async = sync_to_async(_read, thread_sensitive=False)
    with Listener(channel, channel) as listener:
        yield RETRY
        started = last_write = loop.time()
        while True:
            listener.reading()
            read = await read_async(creator, cursor, totals)
            cursor = read.cursor
            if read.tips:
                yield frame(read)
                last_write = loop.time()
            if loop.time() - started >= MAX_STREAM_SECONDS:
                yield f"id: {cursor}\n\n"  # the browser reconnects from here
                return
            if not await listener.wait() and loop.time() - last_write >= HEARTBEAT_SECONDS:
                yield f"id: {cursor}\n{HEARTBEAT}"
                last_write = loop.time()
