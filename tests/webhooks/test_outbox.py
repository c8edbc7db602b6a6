"""Events are written with the credit that causes them: a worker killed after the commit,
or a broker that is down, delays them but loses none and sends none twice."""

from __future__ import annotations

import signal
import subprocess
import sys

import pytest
from kombu.exceptions import OperationalError

from payments import events, tasks
from payments.models import TipConfirmationEmail, TipStatus
from payments.services import tip_create
from payments.tasks import tip_events_dispatch
from tests.payments.test_worker_processes import ROOT, process_env
from tests.receiver import webhook_receiver
from webhooks.models import DeliveryStatus, WebhookDelivery
from webhooks.services import webhook_endpoint_create
from webhooks.tasks import webhook_deliver, webhooks_deliver_due

pytestmark = pytest.mark.django_db

ALL_EVENTS = ["tip.detected", "tip.confirmed", "tip.reverted"]


def broker_down(*args, **kwargs):
    raise OperationalError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")


@pytest.fixture
def second_receiver():
    with webhook_receiver() as receiver:
        yield receiver


@pytest.mark.parametrize("kick", ["dropped", "raising"])
def test_a_dispatch_lost_after_the_commit_is_made_up_by_the_sweep_once(
    kick,
    creator,
    endpoint,
    receiver,
    second_receiver,
    tip,
    pay,
    mailoutbox,
    monkeypatch,
    django_capture_on_commit_callbacks,
):
    webhook_endpoint_create(creator=creator, url=second_receiver.url, events=ALL_EVENTS)
    # The worker dies between the crediting commit and the dispatch it would queue.
    monkeypatch.setattr(
        events, "tip_events_kick", (lambda: None) if kick == "dropped" else broker_down
    )

    pay(tip)

    assert tip.status == TipStatus.CONFIRMED
    assert receiver.requests == [] and mailoutbox == []
    monkeypatch.undo()
    with django_capture_on_commit_callbacks(execute=True):
        tip_events_dispatch()  # beat's sweep
        tip_events_dispatch()  # and the next one

    assert receiver.events() == ["tip.detected", "tip.confirmed"]
    assert second_receiver.events() == ["tip.detected", "tip.confirmed"]
    assert WebhookDelivery.objects.count() == 4
    assert [email.subject for email in mailoutbox] == [mailoutbox[0].subject]
    assert TipConfirmationEmail.objects.filter(tip=tip).count() == 1


def test_dispatch_run_twice_sends_each_event_once(
    endpoint, receiver, tip, pay, monkeypatch, django_capture_on_commit_callbacks
):
    monkeypatch.setattr(events, "tip_events_kick", lambda: None)
    pay(tip)
    monkeypatch.undo()

    with django_capture_on_commit_callbacks(execute=True):
        # 2 events x each listener (webhooks, the creator's emails, reversals, live streams)
        assert events.tip_events_dispatch_pending() == 2 * len(events._consumers)
        assert events.tip_events_dispatch_pending() == 0

    assert receiver.events() == ["tip.detected", "tip.confirmed"]
    assert WebhookDelivery.objects.count() == 2


def test_a_broker_down_for_one_delivery_does_not_drop_the_others_of_the_scan(
    endpoint, receiver, chain, watch, creator, monkeypatch, django_capture_on_commit_callbacks
):
    first, second = (tip_create(creator=creator, amount_sats=5000) for _ in range(2))
    attempts = []
    deliver = webhook_deliver.delay

    def first_fails(delivery_id):
        attempts.append(delivery_id)
        if len(attempts) == 1:
            broker_down()
        return deliver(delivery_id)

    monkeypatch.setattr(webhook_deliver, "delay", first_fails)
    with django_capture_on_commit_callbacks(execute=True):
        chain.send([(first.address.address, 5000)])
        chain.send([(second.address.address, 5000)])
        watch()  # one scan finds both payments

    assert len(attempts) == 2
    assert receiver.events() == ["tip.detected"]  # the second one, at once
    webhooks_deliver_due()  # the first one, on beat's next round
    assert receiver.events() == ["tip.detected", "tip.detected"]
    assert {d.tip_id for d in WebhookDelivery.objects.all()} == {first.pk, second.pk}
    assert set(WebhookDelivery.objects.values_list("status", flat=True)) == {
        DeliveryStatus.SUCCEEDED
    }


def test_a_listener_that_fails_is_retried_without_holding_up_the_others(
    endpoint, receiver, tip, pay, mailoutbox, monkeypatch, django_capture_on_commit_callbacks
):
    tip.creator.notify_on_confirmed_tip = True
    tip.creator.save()
    monkeypatch.setattr(tasks.tip_confirmed_email, "delay", broker_down)
    pay(tip)

    assert receiver.events() == ["tip.detected", "tip.confirmed"]
    assert mailoutbox == []
    monkeypatch.undo()
    with django_capture_on_commit_callbacks(execute=True):
        tip_events_dispatch()

    assert len(mailoutbox) == 1
    assert receiver.events() == ["tip.detected", "tip.confirmed"]


def test_an_event_tells_the_tip_as_it_was_when_dispatched_late(
    endpoint, receiver, tip, pay, monkeypatch
):
    monkeypatch.setattr(events, "tip_events_kick", lambda: None)
    pay(tip, confirm=False)
    pay(tip)
    monkeypatch.undo()

    tip_events_dispatch()

    detected, confirmed = WebhookDelivery.objects.order_by("pk")
    # Each event tells the tip as it was when it happened, not when it was sent.
    assert detected.payload["data"]["tip"]["status"] == "in_mempool"
    assert confirmed.payload["data"]["tip"]["status"] == "confirmed"
    assert detected.event_id != confirmed.event_id


KILLED_AFTER_COMMIT = """
import os, signal, django
django.setup()
from payments import events
from payments.tasks import watch_mempool
# The worker dies right after the crediting commit, before it can queue the dispatch.
events.tip_events_kick = lambda: os.kill(os.getpid(), signal.SIGKILL)
watch_mempool()
"""


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_watcher_killed_right_after_its_commit_loses_no_event(
    creator, endpoint, receiver, second_receiver, tip, chain, watch, tmp_path
):
    webhook_endpoint_create(creator=creator, url=second_receiver.url, events=ALL_EVENTS)
    chain.send([(tip.address.address, tip.amount_sats)])

    killed = subprocess.run(
        [sys.executable, "-c", KILLED_AFTER_COMMIT],
        cwd=ROOT,
        env=process_env(tmp_path),
        stdout=subprocess.DEVNULL,
        timeout=120,
    )

    assert killed.returncode == -signal.SIGKILL
    tip.refresh_from_db()
    assert tip.status == TipStatus.IN_MEMPOOL  # the credit committed
    assert receiver.requests == []
    tip_events_dispatch()  # beat's sweep
    chain.mine(1)
    watch()  # confirmed by a healthy worker this time
    tip_events_dispatch()

    assert receiver.events() == ["tip.detected", "tip.confirmed"]
    assert second_receiver.events() == ["tip.detected", "tip.confirmed"]
    assert WebhookDelivery.objects.count() == 4
