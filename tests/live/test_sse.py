"""The SSE endpoint as a browser's EventSource reads it: numbered status frames, the
missed ones replayed once after Last-Event-ID, pushed at once, and an end once the tip
can no longer change. Driven with Django's AsyncClient (ASGI) and the stream itself."""

from __future__ import annotations

import asyncio
import math
import time
from collections import Counter
from collections.abc import Awaitable, Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

import pytest
from asgiref.sync import sync_to_async
from django.test import AsyncClient, Client

from live import fanout
from live.models import TipStreamEvent
from live.selectors import StreamRead
from live.stream import tip_stream_async
from tests.live.conftest import parse_frames, status_frames

pytestmark = pytest.mark.django_db(transaction=True)

# A stream that stops answering fails its test instead of hanging the suite.
STUCK = 30

T = TypeVar("T")


def run_async(scenario: Callable[[], Awaitable[T]]) -> T:
    """Run `scenario` in an event loop of its own thread, as a web process would (the
    browser tests' Playwright may have left one running in this thread)."""

    async def main() -> T:
        return await scenario()

    with ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, main()).result()


def read_all(path: str, **headers: str) -> tuple[int, str, str]:
    async def get() -> tuple[int, str, str]:
        response = await AsyncClient().get(path, headers=headers)
        if response.status_code != 200:
            return response.status_code, response["Content-Type"], ""
        streamed: Any = response  # a StreamingHttpResponse with an async iterator
        chunks = [chunk async for chunk in streamed.streaming_content]
        text = b"".join(c if isinstance(c, bytes) else c.encode() for c in chunks).decode()
        return response.status_code, response["Content-Type"], text

    return run_async(get)


@pytest.fixture
def final_tip(tip, chain, watch, pay, django_capture_on_commit_callbacks):
    """Paid, then buried under 5 more blocks: 6 confirmations, it can no longer change."""
    pay(tip)
    with django_capture_on_commit_callbacks(execute=True):
        chain.mine(5)
        watch()
    return tip


def test_a_final_tip_streams_its_moves_then_says_final_and_ends(final_tip):
    status, content_type, text = read_all(f"/t/{final_tip.public_id}/events")
    assert status == 200
    assert content_type.startswith("text/event-stream")
    frames = parse_frames(text)
    assert frames[0] == {"retry": "3000"}
    moves = [f for f in frames if "id" in f]
    assert [f["data"]["status"] for f in moves] == ["in_mempool", "confirmed"]
    assert [int(f["id"]) for f in moves] == list(
        TipStreamEvent.objects.order_by("id").values_list("id", flat=True)
    )
    # The confirmations since, which no move announced, come as the state now.
    assert frames[-2]["data"]["confirmations"] == 6
    assert "id" not in frames[-2]
    assert frames[-1]["event"] == "final"


def test_reconnecting_with_last_event_id_replays_exactly_the_missed_events(final_tip):
    first, second = TipStreamEvent.objects.order_by("id")
    _, _, text = read_all(f"/t/{final_tip.public_id}/events", last_event_id=str(first.pk))
    numbered = [f for f in parse_frames(text) if "id" in f]
    assert [int(f["id"]) for f in numbered] == [second.pk]
    assert numbered[0]["data"]["status"] == "confirmed"


def test_the_page_can_give_where_it_resumes_from(final_tip):
    last = TipStreamEvent.objects.order_by("id").last()
    assert last is not None
    _, _, text = read_all(f"/t/{final_tip.public_id}/events?after={last.pk}")
    assert [f for f in parse_frames(text) if "id" in f] == []
    assert parse_frames(text)[-1]["event"] == "final"


def test_an_unknown_tip_has_no_stream(db):
    assert read_all("/t/nosuchtip/events")[0] == 404


def test_a_payment_reaches_an_open_stream_as_soon_as_it_commits(
    tip, chain, watch, monkeypatch, django_capture_on_commit_callbacks
):
    # No polling to fall back on: only the push can deliver within the test.
    monkeypatch.setattr(fanout, "FALLBACK_POLL_SECONDS", 3600.0)

    def send_payment() -> None:
        with django_capture_on_commit_callbacks(execute=True):
            chain.send([(tip.address.address, tip.amount_sats)])
            watch()

    async def scenario() -> list[str]:
        stream = tip_stream_async(tip.public_id, after=0)
        try:
            opening = [await anext(stream), await anext(stream)]  # retry, the state now
            waiting = asyncio.ensure_future(anext(stream))
            await sync_to_async(send_payment)()
            return [*opening, await asyncio.wait_for(waiting, STUCK)]
        finally:
            await stream.aclose()

    retry, opening_state, pushed = run_async(scenario)
    assert parse_frames(retry) == [{"retry": "3000"}]
    assert status_frames(opening_state)[0]["data"]["status"] == "awaiting_payment"
    (move,) = status_frames(pushed)
    assert move["data"]["status"] == "in_mempool"
    assert int(move["id"]) == TipStreamEvent.objects.get().pk
    assert fanout.hub.connections() == 0  # the closed stream left the hub


def test_under_wsgi_the_page_is_told_to_poll_instead(tip):
    # EventSource does not reconnect after a 204: the payment screen polls status.json.
    with ThreadPoolExecutor(1) as pool:  # see run_async
        response = pool.submit(Client().get, f"/t/{tip.public_id}/events").result()
    assert response.status_code == 204


def test_idle_viewers_of_one_tip_share_one_read_per_poll(monkeypatch):
    """Without news, every connection to a tip polls at the same tick and they share the
    read: one database read per tip per poll period in a process, however many viewers."""
    period = 0.05
    monkeypatch.setattr(fanout.hub, "poll_seconds", lambda: period)
    reads: list[float] = []
    enough = 6
    read_done: list[Callable[[], object]] = []

    def counting_read(tip_id: str, after: int) -> StreamRead:
        reads.append(time.monotonic())
        for tell in read_done:
            tell()
        return StreamRead(state={"status": "awaiting_payment"})

    monkeypatch.setattr("live.stream._read", counting_read)

    async def scenario() -> list[float]:
        viewers = 20
        opened = asyncio.Semaphore(0)
        loop, read = asyncio.get_running_loop(), asyncio.Event()
        read_done.append(lambda: loop.call_soon_threadsafe(read.set))

        async def view() -> None:
            async for chunk in tip_stream_async("t-shared", after=0):
                if "event: status" in chunk:
                    opened.release()

        tasks = [asyncio.ensure_future(view()) for _ in range(viewers)]
        for _ in range(viewers):
            await asyncio.wait_for(opened.acquire(), STUCK)
        first_poll = len(reads)
        while len(reads) < first_poll + enough:
            read.clear()
            await asyncio.wait_for(read.wait(), STUCK)
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        return reads[first_poll:]

    polls = run_async(scenario)
    per_tick = Counter(math.floor(moment / period) for moment in polls)

    assert max(per_tick.values()) == 1, per_tick


def test_one_wake_up_costs_one_goal_read_however_many_pages_show_it(monkeypatch):
    """A tip wakes every open tip page of its creator that shows the goal: in a process
    they share one read of the figures, and all show the same ones."""
    from live import goals

    monkeypatch.setattr(fanout.hub, "poll_seconds", lambda: 3600.0)  # only wake-ups read
    reads: list[int] = []

    def counting_read(creator_id: int) -> dict[str, int]:
        reads.append(creator_id)
        return {"raised_sats": 1000 * len(reads)}

    monkeypatch.setattr(goals, "_read", counting_read)

    async def scenario() -> list[list[dict[str, Any]]]:
        pages = 20
        seen: list[list[dict[str, Any]]] = [[] for _ in range(pages)]
        frames = asyncio.Queue[int]()

        async def page(number: int) -> None:
            async for chunk in goals.goal_stream_async(7, "goal-test:7"):
                if "event: goal" in chunk:
                    seen[number].append(parse_frames(chunk)[0]["data"])
                    frames.put_nowait(number)

        tasks = [asyncio.ensure_future(page(n)) for n in range(pages)]
        for _ in range(pages):  # every page got the figures it opened with
            await asyncio.wait_for(frames.get(), STUCK)
        opened_reads = len(reads)
        fanout.hub.wake("goal-test:7")  # a tip moved
        for _ in range(pages):
            await asyncio.wait_for(frames.get(), STUCK)
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        assert len(reads) == opened_reads + 1
        return seen

    seen = run_async(scenario)
    assert all(frames[-1] == seen[0][-1] for frames in seen)
