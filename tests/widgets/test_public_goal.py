"""The creator's goal on their tip page and widgets, if they choose: public figures only,
escaped, live (/@<handle>/goal/events, or goal.json for pages that poll)."""

from __future__ import annotations

import asyncio
import contextlib
import queue
import threading

import pytest
from django.test import Client

from live.goals import goal_stream_async
from overlays.services import overlay_channel, overlay_settings_ensure, overlay_settings_update
from payments.services import tip_create
from tests.factories import CreatorFactory
from tests.live.conftest import parse_frames
from tests.overlays.conftest import STUCK

pytestmark = pytest.mark.django_db


@pytest.fixture
def shown(creator):
    overlay = overlay_settings_ensure(creator=creator)
    return overlay_settings_update(
        overlay=overlay,
        goal_title="New <b>microphone</b>",
        goal_target_sats=20_000,
        goal_public=True,
    )


def test_the_goal_is_not_shown_unless_the_creator_chooses(client, creator, widget):
    overlay = overlay_settings_ensure(creator=creator)
    overlay_settings_update(overlay=overlay, goal_title="Secret plans")

    assert "Secret plans" not in client.get("/@alice").content.decode()
    assert "Secret plans" not in client.get(f"/w/{widget.public_id}/").content.decode()
    assert client.get("/@alice/goal.json").status_code == 404
    assert client.get("/@alice/goal/events").status_code == 404


def test_the_tip_page_and_widget_show_the_goal_escaped(client, creator, widget, shown, pay):
    pay(tip_create(creator=creator, amount_sats=5000))

    for url in ("/@alice", f"/w/{widget.public_id}/"):
        page = client.get(url).content.decode()
        assert "New &lt;b&gt;microphone&lt;/b&gt;" in page
        assert "<b>microphone" not in page
        assert "5,000 / 20,000&nbsp;sats (25%)" in page
        assert 'value="25"' in page
        assert "/@alice/goal/events" in page


def test_a_fiat_goal_without_a_fresh_rate_says_so(client, creator, shown, pay):
    creator.display_currency = "EUR"
    creator.save()
    overlay_settings_update(overlay=shown, goal_target_fiat="50", goal_currency="EUR")
    pay(tip_create(creator=creator, amount_sats=5000))  # no rates at all here

    page = client.get("/@alice").content.decode()

    assert "5,000&nbsp;sats · EUR figure unavailable right now" in page
    assert "<progress" in page and 'value="' not in page.split("<progress")[1].split(">")[0]
    assert client.get("/@alice/goal.json").json()["raised_fiat"] is None


def test_the_goal_json_gives_the_public_figures_only(client, creator, shown, pay):
    pay(tip_create(creator=creator, amount_sats=5000, name="Bob", message="a private note"))

    response = client.get("/@alice/goal.json")

    assert response.status_code == 200
    goal = response.json()
    assert goal["title"] == "New <b>microphone</b>"  # raw data: the page sets textContent
    assert (goal["raised_sats"], goal["target_sats"], goal["percent"]) == (5000, 20_000, 25)
    assert set(goal) == {
        "title",
        "unit",
        "raised_sats",
        "target_sats",
        "percent",
        "currency",
        "raised_fiat",
    }
    assert "Bob" not in response.content.decode() and "private" not in response.content.decode()


def test_another_creators_tips_never_count_in_the_goal(client, creator, shown, pay):
    bobby = CreatorFactory(handle="bobby")
    overlay_settings_update(overlay=overlay_settings_ensure(creator=bobby), goal_public=True)
    pay(tip_create(creator=bobby, amount_sats=7000))
    pay(tip_create(creator=creator, amount_sats=5000))

    assert client.get("/@alice/goal.json").json()["raised_sats"] == 5000
    assert client.get("/@bobby/goal.json").json()["raised_sats"] == 7000


def test_a_creator_not_taking_tips_shows_no_goal(client, creator, shown):
    creator.status = "suspended"
    creator.save()

    assert client.get("/@alice/goal.json").status_code == 404
    assert client.get("/@alice/goal/events").status_code == 404


def test_switching_the_goal_on_shows_on_a_stored_page_at_once(
    creator, widget, django_capture_on_commit_callbacks
):
    overlay = overlay_settings_ensure(creator=creator)
    overlay_settings_update(overlay=overlay, goal_title="Camera")
    assert "Camera" not in Client().get(f"/w/{widget.public_id}/").content.decode()  # stored

    with django_capture_on_commit_callbacks(execute=True):
        overlay_settings_update(overlay=overlay, goal_public=True)

    assert "Camera" in Client().get(f"/w/{widget.public_id}/").content.decode()


class GoalConnection:
    """One open public goal stream, run in its own thread and event loop as a web process
    runs it; the test reads its `goal` frames as they come."""

    def __init__(self, creator) -> None:
        self.frames: queue.Queue[dict | None] = queue.Queue()
        self.started = threading.Event()
        self.thread = threading.Thread(target=asyncio.run, args=(self.run(creator),))
        self.thread.start()
        self.started.wait(STUCK)

    async def run(self, creator) -> None:
        self.loop, self.task = asyncio.get_running_loop(), asyncio.current_task()
        self.started.set()
        text = ""
        with contextlib.suppress(asyncio.CancelledError):  # closed by the test
            async for chunk in goal_stream_async(creator.pk, overlay_channel(creator.pk)):
                *done, text = (text + chunk).split("\n\n")
                for frame in parse_frames("\n\n".join(done)):
                    if frame.get("event") == "goal":
                        self.frames.put(frame["data"])

    def next(self) -> dict | None:
        return self.frames.get(timeout=STUCK)

    def close(self) -> None:
        assert self.task is not None
        self.loop.call_soon_threadsafe(self.task.cancel)
        self.thread.join(STUCK)


@pytest.mark.django_db(transaction=True)
def test_an_open_goal_stream_sends_the_figures_then_each_change(creator, shown, pay):
    connection = GoalConnection(creator)
    try:
        assert connection.next()["raised_sats"] == 0
        tip = tip_create(creator=creator, amount_sats=5000)
        pay(tip)
        assert connection.next()["raised_sats"] == 5000

        overlay_settings_update(overlay=shown, goal_public=False)
        assert connection.next() is None  # the page hides it
    finally:
        connection.close()
