"""The overlay pages and their server-sent events, as OBS's browser source reads them:
behind the secret token only, framable, cookie-free; missed alerts replayed exactly once."""

from __future__ import annotations

import pytest

from overlays.models import OverlayEvent
from overlays.services import overlay_test_alert, overlay_token_regenerate
from overlays.stream import overlay_stream_async
from payments.services import tip_create
from tests.overlays.conftest import read_stream

pytestmark = pytest.mark.django_db(transaction=True)


def alert_frames(frames: list[dict]) -> list[dict]:
    return [frame for frame in frames if frame.get("event") in ("alert", "retract")]


def stream(overlay, token, *, after=0, want="alerts"):
    return lambda: overlay_stream_async(token, overlay.creator_id, after=after, want=want)


def test_an_open_stream_of_a_regenerated_token_says_gone_and_ends(overlay, token):
    overlay_token_regenerate(overlay=overlay)
    frames = read_stream(stream(overlay, token), until=lambda frames: False)
    assert frames[-1]["event"] == "gone"
    assert not alert_frames(frames)


def test_reconnecting_after_the_last_event_id_replays_the_missed_alerts_exactly_once(
    creator, overlay, token
):
    first = overlay_test_alert(creator=creator, amount_sats=1000, message="one", name="A")
    frames = read_stream(stream(overlay, token), until=lambda f: len(alert_frames(f)) >= 1)
    assert [int(f["id"]) for f in alert_frames(frames)] == [first.pk]

    # Disconnected; two alerts arrive meanwhile; the browser reconnects with Last-Event-ID.
    missed = [
        overlay_test_alert(creator=creator, amount_sats=2000, message="two", name="B"),
        overlay_test_alert(creator=creator, amount_sats=3000, message="three", name="C"),
    ]
    frames = read_stream(
        stream(overlay, token, after=first.pk), until=lambda f: len(alert_frames(f)) >= 2
    )
    replayed = alert_frames(frames)
    assert [int(f["id"]) for f in replayed] == [event.pk for event in missed]
    assert [f["data"]["message"] for f in replayed] == ["two", "three"]


def test_alerts_of_another_creator_never_reach_this_overlay(creator, overlay, token):
    from overlays.services import overlay_settings_ensure
    from tests.factories import CreatorFactory

    other = CreatorFactory(handle="bobby")
    overlay_settings_ensure(creator=other)
    overlay_test_alert(creator=other, amount_sats=999, message="bobby's secret", name="X")
    mine = overlay_test_alert(creator=creator, amount_sats=1000, message="mine", name="Y")
    frames = read_stream(stream(overlay, token), until=lambda f: len(alert_frames(f)) >= 1)
    assert [f["data"]["message"] for f in alert_frames(frames)] == ["mine"]
    assert int(alert_frames(frames)[0]["id"]) == mine.pk
    assert "bobby" not in str(frames)


def test_a_held_message_never_reaches_the_stream_and_a_hide_retracts(creator, overlay, token, pay):
    from moderation.models import FlaggedTerm
    from moderation.services import tip_message_hide

    FlaggedTerm.objects.create(term="scam")
    held = tip_create(creator=creator, amount_sats=5000, message="total scam")
    shown = tip_create(creator=creator, amount_sats=6000, message="nice one")
    pay(held, confirm=False)
    pay(shown, confirm=False)
    tip_message_hide(tip=shown, actor=creator.user, reason="")

    frames = read_stream(stream(overlay, token), until=lambda f: len(alert_frames(f)) >= 3)
    kinds = [(f["event"], f["data"].get("message")) for f in alert_frames(frames)]
    assert kinds == [("alert", ""), ("alert", ""), ("retract", None)]
    alert_of_shown = OverlayEvent.objects.get(tip=shown, kind="alert")
    assert alert_frames(frames)[2]["data"]["alert"] == alert_of_shown.pk
    assert "scam" not in str(frames) and "nice one" not in str(frames)


def test_the_goal_state_moves_on_confirmed_tips(creator, overlay, token, pay):
    overlay.goal_target_sats = 20_000
    overlay.goal_title = "New microphone"
    overlay.save()
    read = stream(overlay, token, want="goal")
    state = read_stream(read, until=lambda f: any(x.get("event") == "state" for x in f))
    assert state[-1]["data"] == {
        "title": "New microphone",
        "unit": "sats",
        "raised_sats": 0,
        "target_sats": 20_000,
        "percent": 0,
        "currency": "USD",
        "raised_fiat": None,  # no fresh rate: beside a sats target, sats only
    }
    tip = tip_create(creator=creator, amount_sats=5000)
    pay(tip, confirm=False)  # seen, not confirmed: the goal waits
    state = read_stream(read, until=lambda f: any(x.get("event") == "state" for x in f))
    assert state[-1]["data"]["raised_sats"] == 0
    pay(tip, 1)  # confirmed (with a 1-sat top-up mined with it)
    state = read_stream(read, until=lambda f: any(x.get("event") == "state" for x in f))
    assert state[-1]["data"]["raised_sats"] == 5001
    assert state[-1]["data"]["percent"] == 25


def test_supporters_show_names_only_with_consent(creator, overlay, token, pay):
    pay(tip_create(creator=creator, amount_sats=5000, name="Dave", name_public=True))
    pay(tip_create(creator=creator, amount_sats=9000, name="Erin"))
    read = stream(overlay, token, want="supporters")
    frames = read_stream(read, until=lambda f: any(x.get("event") == "state" for x in f))
    rows = frames[-1]["data"]["rows"]
    assert [(row["name"], row["amount_sats"]) for row in rows] == [("", 9000), ("Dave", 5000)]
    overlay.supporters_mode = "top"
    overlay.save()
    frames = read_stream(read, until=lambda f: any(x.get("event") == "state" for x in f))
    assert [(row["name"], row["amount_sats"]) for row in frames[-1]["data"]["rows"]] == [
        ("Dave", 5000)
    ]
    assert "Erin" not in str(frames)
