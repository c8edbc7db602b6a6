"""The tip-events outbox feeds each tip's public stream: one event per status move,
with only what the payment screen shows anyone holding the link."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.utils import timezone

from live.models import TipStreamEvent
from live.services import stream_events_prune
from payments.events import tip_events_dispatch_pending
from payments.models import TipEvent

pytestmark = pytest.mark.django_db


def stream(tip) -> list[dict]:
    return [event.data for event in TipStreamEvent.objects.filter(tip=tip).order_by("id")]


def test_each_status_move_appends_one_public_event(tip, pay):
    pay(tip)
    events = stream(tip)
    assert [(e["from_status"], e["status"]) for e in events] == [
        ("awaiting_payment", "in_mempool"),
        ("in_mempool", "confirmed"),
    ]
    assert events[1]["received_sats"] == 5000
    assert events[1]["confirmed_sats"] == 5000
    assert events[1]["confirmations"] == 1
    assert events[1]["id"] == tip.public_id
    assert TipStreamEvent.objects.count() == TipEvent.objects.count() == 2


def test_dispatching_again_appends_nothing(tip, pay):
    pay(tip)
    tip_events_dispatch_pending()
    tip_events_dispatch_pending()
    assert len(stream(tip)) == 2


def test_the_stream_holds_nothing_private(tip, pay):
    txid = pay(tip)
    text = json.dumps(stream(tip))
    for private in ("Bob", "Secret thanks", txid, tip.address.address, tip.address.derivation_path):
        assert private not in text
    assert set(stream(tip)[0]) == {
        "id",
        "status",
        "from_status",
        "taken_back",
        "received_sats",
        "confirmed_sats",
        "confirmations",
        "confirmations_required",
        "paid_late",
        "below_minimum",
        "overpaid",
    }


def test_a_reorg_after_confirmation_is_marked_taken_back(
    tip, chain, watch, pay, django_capture_on_commit_callbacks
):
    txid = pay(tip)
    with django_capture_on_commit_callbacks(execute=True):
        chain.reorg(1, drop_txids=[txid])
        watch()
    last = stream(tip)[-1]
    assert (last["from_status"], last["status"], last["taken_back"]) == (
        "confirmed",
        "awaiting_payment",
        True,
    )
    assert not any(event["taken_back"] for event in stream(tip)[:-1])


def test_events_are_forgotten_a_day_after_the_monitoring_window(tip, pay):
    pay(tip)
    assert stream_events_prune(now=tip.watch_until) == 0
    assert stream_events_prune(now=tip.watch_until + timedelta(days=1, seconds=1)) == 2
    assert stream(tip) == []
    assert timezone.now() < tip.watch_until
