"""The dashboard on the push channel: the signed-in creator's tip moves as server-sent
events, each exactly once across reconnections, late commits included, never another
creator's; the same reads as JSON where the page polls."""

from __future__ import annotations

import asyncio
import re
import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from django.db import connection, transaction
from django.test import AsyncClient, Client

from dashboard.live import Cursor, dashboard_cursor
from dashboard.stream import dashboard_stream_async
from payments.models import Tip, TipEvent, TipStatus
from payments.services import tip_create
from tests.factories import CreatorFactory, UserFactory
from tests.live.conftest import parse_frames

pytestmark = pytest.mark.django_db(transaction=True)

STUCK = 20


def tip_frames(frames: list[dict]) -> list[dict]:
    return [frame for frame in frames if frame.get("event") == "tips"]


def moved(frames: list[dict]) -> list[str]:
    """The public ids of the tips the frames carry, in order."""
    return [tip["id"] for frame in tip_frames(frames) for tip in frame["data"]["tips"]]


def stream(creator, cursor: Cursor, *, totals: bool = False):
    return lambda: dashboard_stream_async(creator, cursor=cursor, totals=totals)


def read_until(creator, cursor, count: int, *, totals: bool = False, until=None) -> list[dict]:
    """Frames until `count` tips moved (or `until(frames)`); a stream that never gets
    there fails the test (heartbeats alone would keep it open for half an hour)."""
    done = until or (lambda frames: len(moved(frames)) >= count)

    async def main() -> list[dict]:
        make = stream(creator, cursor, totals=totals)
        text = ""
        chunks = make()
        try:
            async with asyncio.timeout(STUCK):
                while not done(parse_frames(text)):
                    text += await anext(chunks)
        finally:
            await chunks.aclose()
        return parse_frames(text)

    with ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, main()).result()


def nothing_more(client: Client, cursor: str) -> list[Any]:
    """What the page would still get after `cursor` (the poll: the same read, at once)."""
    response = client.get("/dashboard/events/poll", {"cursor": cursor})
    assert response.status_code == 200
    return response.json()["tips"]


def event_of(tip, to_status=TipStatus.IN_MEMPOOL) -> TipEvent:
    """A status move's outbox row, as payments.events.tip_event_record writes it."""
    return TipEvent.objects.create(
        tip=tip, from_status=TipStatus.AWAITING_PAYMENT, to_status=to_status, tip_data={}
    )


def test_a_paid_tip_arrives_with_its_row_and_the_new_totals(creator, make_tip, pay):
    cursor = dashboard_cursor(creator)
    tip = make_tip(5000, name="Bob <b>", message="<script>alert(1)</script>")
    pay(tip, confirm=False)

    (frame,) = tip_frames(read_until(creator, cursor, 1, totals=True))
    (entry,) = frame["data"]["tips"]
    assert entry["id"] == tip.public_id
    assert f'data-tip="{tip.public_id}"' in entry["row"]
    assert "Payment seen, confirming" in entry["row"]
    # Viewers' text is escaped by the template, as on the page.
    assert "Bob &lt;b&gt;" in entry["row"]
    assert "<script>" not in entry["row"] and "&lt;script&gt;" in entry["row"]
    totals = re.sub(r"\s+", " ", frame["data"]["totals"])
    assert "Confirming" in totals and "5,000 sats seen on the chain" in totals
    # The frame's id is a cursor a reconnection resumes from.
    assert Cursor.parse(frame["id"]) is not None


def test_reconnecting_with_the_last_event_id_sends_each_move_exactly_once(
    creator, creator_client, make_tip, pay, chain, watch
):
    cursor = dashboard_cursor(creator)
    tip = make_tip(5000)
    pay(tip, confirm=False)
    first = tip_frames(read_until(creator, cursor, 1))
    assert moved(first) == [tip.public_id]
    assert "Payment seen, confirming" in first[0]["data"]["tips"][0]["row"]

    # Disconnected; the tip confirms and another is paid meanwhile; the browser
    # reconnects with Last-Event-ID.
    chain.mine(1)
    watch()
    other = make_tip(7000)
    pay(other, confirm=False)
    again = tip_frames(read_until(creator, Cursor.parse(first[-1]["id"]), 2))
    assert moved(again) == [tip.public_id, other.public_id]  # the mempool move: not again
    assert "Confirmed" in again[0]["data"]["tips"][0]["row"]
    assert nothing_more(creator_client, again[-1]["id"]) == []


def test_a_quiet_stream_keeps_the_browsers_resume_point_fresh(
    creator, creator_client, make_tip, pay, monkeypatch
):
    from live.fanout import hub

    cursor = dashboard_cursor(creator)
    tip = make_tip(5000)
    pay(tip, confirm=False)
    monkeypatch.setattr("dashboard.stream.HEARTBEAT_SECONDS", 0)
    monkeypatch.setattr(hub, "poll_seconds", lambda: 0.01)

    frames = read_until(
        creator, cursor, 0, until=lambda f: any(x.get("comment") == "heartbeat" for x in f)
    )
    (sent,) = tip_frames(frames)
    heartbeat = next(frame for frame in frames if frame.get("comment") == "heartbeat")
    # The heartbeat's id is where the browser resumes: after what was sent, nothing lost.
    resume = Cursor.parse(heartbeat["id"])
    assert resume is not None and resume.after == Cursor.parse(sent["id"]).after
    assert nothing_more(creator_client, heartbeat["id"]) == []


def test_a_move_that_commits_after_a_later_one_is_sent_once_after_a_reconnection(
    creator, creator_client, make_tip
):
    """Event ids are taken at INSERT; transactions commit in any order. A move whose
    transaction is still open when a later one is sent must still reach the page, once."""
    early_tip, late_tip = make_tip(1000, name="Early"), make_tip(2000, name="Later")
    cursor = dashboard_cursor(creator)
    inserted, commit = threading.Event(), threading.Event()
    early: list[TipEvent] = []

    def slow_transaction() -> None:
        try:
            with transaction.atomic():
                # As tip_event_record does: the move first, then the event in a savepoint
                # (its row's xmin is then a subtransaction's id, which snapshots do not list).
                Tip.objects.filter(pk=early_tip.pk).update(status=TipStatus.IN_MEMPOOL)
                with transaction.atomic():
                    early.append(event_of(early_tip))
                inserted.set()
                assert commit.wait(STUCK)
        finally:
            connection.close()

    with ThreadPoolExecutor(1) as pool:
        done = pool.submit(slow_transaction)
        assert inserted.wait(STUCK)
        later = event_of(late_tip)  # a higher id, committed first
        assert later.pk > early[0].pk

        frames = tip_frames(read_until(creator, cursor, 1))
        assert moved(frames) == [late_tip.public_id]
        commit.set()
        done.result()

    # The browser reconnects with the id of the last frame it had.
    resumed = tip_frames(read_until(creator, Cursor.parse(frames[-1]["id"]), 1))
    assert moved(resumed) == [early_tip.public_id]
    assert nothing_more(creator_client, resumed[-1]["id"]) == []
    # And the poll, from the same cursor, sends it too, once.
    polled = creator_client.get("/dashboard/events/poll", {"cursor": frames[-1]["id"]}).json()
    assert [tip["id"] for tip in polled["tips"]] == [early_tip.public_id]
    assert nothing_more(creator_client, polled["cursor"]) == []


def test_another_creators_tips_never_reach_this_dashboard(creator, creator_client, make_tip, pay):
    other = CreatorFactory(handle="bobby", display_name="Bobby")
    cursor = dashboard_cursor(creator)
    theirs = tip_create(creator=other, amount_sats=9000, name="Bobby's fan", message="secret")
    mine = make_tip(5000, name="Mine")
    pay(theirs, confirm=False)
    pay(mine, confirm=False)

    frames = read_until(creator, cursor, 1, totals=True)
    assert moved(frames) == [mine.public_id]
    assert "Bobby" not in str(frames) and theirs.public_id not in str(frames)
    polled = creator_client.get("/dashboard/events/poll", {"cursor": str(cursor)}).json()
    assert [tip["id"] for tip in polled["tips"]] == [mine.public_id]
    assert theirs.public_id not in str(polled)


def test_the_stream_answers_the_signed_in_creator_only():
    async def get(client: AsyncClient) -> tuple[int, str]:
        response = await client.get("/dashboard/events?view=overview")
        return response.status_code, response.get("Location", "")

    def run(client: AsyncClient) -> tuple[int, str]:
        with ThreadPoolExecutor(1) as pool:
            return pool.submit(asyncio.run, get(client)).result()

    status, location = run(AsyncClient())
    assert status == 302 and location.startswith("/accounts/login/")
    assert Client().get("/dashboard/events/poll").status_code == 302

    not_a_creator = AsyncClient()
    user = UserFactory()
    not_a_creator.force_login(user)
    assert run(not_a_creator) == (302, "/dashboard/welcome/")  # as every dashboard page
    plain = Client()
    plain.force_login(user)
    assert plain.get("/dashboard/events/poll")["Location"] == "/dashboard/welcome/"


def test_the_stream_over_asgi_sends_the_frames_and_wsgi_says_poll(creator, make_tip, pay):
    async def first_frames(cursor: str) -> str:
        client = AsyncClient()
        await client.aforce_login(creator.user)
        response = await client.get("/dashboard/events", {"view": "tips", "cursor": cursor})
        assert response.status_code == 200
        assert response["Content-Type"].startswith("text/event-stream")
        streamed: Any = response
        text = ""
        chunks = aiter(streamed.streaming_content)
        try:
            while "event: tips" not in text:
                chunk = await asyncio.wait_for(anext(chunks), STUCK)
                text += chunk.decode() if isinstance(chunk, bytes) else chunk
        finally:
            await chunks.aclose()
        return text

    cursor = str(dashboard_cursor(creator))
    tip = make_tip(5000)
    pay(tip, confirm=False)
    with ThreadPoolExecutor(1) as pool:
        text = pool.submit(asyncio.run, first_frames(cursor)).result()
    assert moved(parse_frames(text)) == [tip.public_id]

    wsgi = Client()
    wsgi.force_login(creator.user)
    assert wsgi.get("/dashboard/events").status_code == 204


def test_the_row_sent_is_the_row_the_page_shows_held_message_included(
    creator, creator_client, make_tip, pay
):
    from moderation.models import FlaggedTerm

    FlaggedTerm.objects.create(term="scam")
    cursor = dashboard_cursor(creator)
    held = make_tip(5000, name="Carol", message="total scam")
    pay(held, confirm=False)

    (entry,) = tip_frames(read_until(creator, cursor, 1))[0]["data"]["tips"]
    page = creator_client.get("/dashboard/tips/").content.decode()
    start = page.index(f'<tr data-tip="{held.public_id}"')
    assert page[start : page.index("</tr>", start) + 5] == entry["row"].strip()


def test_only_the_unfiltered_first_page_follows_the_channel(creator_client, make_tip):
    make_tip(5000)
    assert "data-live-dashboard" in creator_client.get("/dashboard/tips/").content.decode()
    assert "data-live-dashboard" in creator_client.get("/dashboard/").content.decode()
    filtered = creator_client.get("/dashboard/tips/", {"status": "confirmed"})
    assert "data-live-dashboard" not in filtered.content.decode()
    assert "data-live-rows" not in filtered.content.decode()


def test_a_row_knows_its_time_to_the_microsecond_so_tips_of_one_second_keep_their_order(
    creator, creator_client, make_tip, pay
):
    # The page places a pushed row among the rows shown by this time: tips made within the
    # same second (a busy stream) must not fall below older ones.
    earlier, later = make_tip(1000, name="First"), make_tip(2000, name="Second")
    Tip.objects.filter(pk=later.pk).update(created_at=earlier.created_at.replace(microsecond=999))
    Tip.objects.filter(pk=earlier.pk).update(created_at=earlier.created_at.replace(microsecond=1))
    cursor = dashboard_cursor(creator)
    pay(later, confirm=False)

    (entry,) = tip_frames(read_until(creator, cursor, 1))[0]["data"]["tips"]
    page = creator_client.get("/dashboard/tips/").content.decode()
    shown = dict(re.findall(r'<tr data-tip="([^"]+)" data-created="(\d+)"', page))
    assert int(shown[later.public_id]) == entry["created"]
    assert int(shown[earlier.public_id]) < entry["created"]
