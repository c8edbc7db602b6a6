"""The creator's alert stream, fed from the tip-events outbox: one alert per tip when its
payment is first known, only what may be shown publicly, retracted when hidden."""

from __future__ import annotations

import pytest
from django.utils import timezone

from moderation.models import FlaggedTerm
from moderation.services import tip_message_hide
from overlays.models import OverlayEvent, OverlayEventKind
from overlays.services import overlay_alert_from_tip_event, overlay_test_alert
from payments.events import tip_events_dispatch_pending
from payments.models import Tip, TipEvent
from payments.services import tip_create

pytestmark = pytest.mark.django_db


def alerts(creator) -> list[dict]:
    events = OverlayEvent.objects.filter(creator=creator, kind=OverlayEventKind.ALERT)
    return [event.data for event in events.order_by("id")]


def test_an_on_chain_tip_alerts_once_when_first_seen_marked_unconfirmed(creator, pay):
    tip = tip_create(creator=creator, amount_sats=5000, name="Bob", message="Great stream!")
    pay(tip, confirm=False)
    assert alerts(creator) == [
        {
            "name": "",
            "amount_sats": 5000,
            "fiat": None,  # no rate when the tip was made
            "message": "Great stream!",
            "unconfirmed": True,
            "test": False,
        }
    ]
    pay(tip)  # then confirmed (a top-up, mined): no second alert
    tip_events_dispatch_pending()
    assert len(alerts(creator)) == 1


def test_a_tip_confirmed_without_being_seen_alerts_once_as_confirmed(
    creator, chain, watch, django_capture_on_commit_callbacks
):
    # As a Lightning tip does: from awaiting payment straight to confirmed.
    tip = tip_create(creator=creator, amount_sats=7000, name="Carol", name_public=True)
    with django_capture_on_commit_callbacks(execute=True):
        chain.send([(tip.address.address, 7000)])
        chain.mine(1)
        watch()
    tip.refresh_from_db()
    assert tip.status == "confirmed"
    assert TipEvent.objects.get(tip=tip).from_status == "awaiting_payment"
    (alert,) = alerts(creator)
    assert alert["unconfirmed"] is False
    assert alert["name"] == "Carol"
    assert alert["amount_sats"] == 7000


def test_the_name_shows_only_if_the_viewer_allowed_it(creator, pay):
    allowed = tip_create(creator=creator, amount_sats=5000, name="Dave", name_public=True)
    private = tip_create(creator=creator, amount_sats=5000, name="Erin")
    pay(allowed, confirm=False)
    pay(private, confirm=False)
    assert [alert["name"] for alert in alerts(creator)] == ["Dave", ""]
    assert "Erin" not in str(list(OverlayEvent.objects.values("data")))


def test_a_held_message_never_appears_in_an_alert(creator, pay):
    FlaggedTerm.objects.create(term="scam")
    tip = tip_create(creator=creator, amount_sats=5000, message="this is a scam lol")
    assert Tip.objects.get(pk=tip.pk).message_flagged
    pay(tip)
    (alert,) = alerts(creator)
    assert alert["message"] == ""
    assert "scam" not in str(list(OverlayEvent.objects.values("data")))


def test_hiding_a_message_blanks_its_alert_and_retracts_it(creator, pay):
    tip = tip_create(creator=creator, amount_sats=5000, message="Rude words")
    pay(tip, confirm=False)
    alert = OverlayEvent.objects.get(kind=OverlayEventKind.ALERT)

    tip_message_hide(tip=tip, actor=creator.user, reason="")

    alert.refresh_from_db()
    assert alert.data["message"] == ""
    retraction = OverlayEvent.objects.get(kind=OverlayEventKind.RETRACT)
    assert retraction.data == {"alert": alert.pk}
    assert retraction.pk > alert.pk


def test_a_tip_below_the_minimum_does_not_alert(creator, overlay, pay):
    overlay.alert_min_sats = 10_000
    overlay.save()
    small = tip_create(creator=creator, amount_sats=5000)
    big = tip_create(creator=creator, amount_sats=20_000)
    pay(small, confirm=False)
    pay(big, confirm=False)
    assert [alert["amount_sats"] for alert in alerts(creator)] == [20_000]


def test_an_old_event_dispatched_late_does_not_alert(creator, pay):
    tip = tip_create(creator=creator, amount_sats=5000)
    pay(tip, confirm=False)
    OverlayEvent.objects.all().delete()
    event = TipEvent.objects.get(tip=tip)
    later = timezone.now() + timezone.timedelta(hours=2)
    assert overlay_alert_from_tip_event(event, now=later) is None


def test_a_test_alert_is_an_event_and_never_a_tip(creator):
    before = Tip.objects.count()
    event = overlay_test_alert(creator=creator, amount_sats=2100, message="Hello", name="Satoshi")
    assert event.kind == OverlayEventKind.TEST
    assert event.data["test"] is True
    assert event.tip is None
    assert Tip.objects.count() == before
