"""Deliveries: signed events to a real receiver, retried from the database, never twice
at once, and an endpoint that fails for a day is disabled and its creator told."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.test import override_settings
from django.utils import timezone

from tests.api.docs import documented_verify_function
from webhooks.models import DeliveryStatus, WebhookDelivery, WebhookEndpoint
from webhooks.services import webhook_delivery_attempt, webhook_endpoint_create
from webhooks.signing import signature
from webhooks.tasks import webhooks_deliver_due

pytestmark = pytest.mark.django_db


def test_it_delivers_detected_then_confirmed(endpoint, receiver, tip, pay):
    txid = pay(tip)

    assert receiver.events() == ["tip.detected", "tip.confirmed"]
    detected, confirmed = (json.loads(request.body) for request in receiver.requests)
    assert detected["type"] == "tip.detected"
    assert detected["data"]["previous_status"] == "awaiting_payment"
    assert confirmed["data"]["tip"]["status"] == "confirmed"
    assert confirmed["data"]["tip"]["txids"] == [txid]
    assert detected["id"] != confirmed["id"]
    assert receiver.requests[0].path == "/hooks/bitcache"
    delivery = WebhookDelivery.objects.get(event_type="tip.confirmed")
    assert delivery.status == DeliveryStatus.SUCCEEDED
    assert delivery.attempts == 1
    assert delivery.response_code == 200
    assert str(delivery.event_id) == confirmed["id"]


def test_it_signs_the_timestamp_and_body(endpoint, receiver, tip, pay):
    pay(tip, confirm=False)

    (request,) = receiver.requests
    timestamp = int(request.headers["X-Bitcache-Timestamp"])
    assert request.headers["X-Bitcache-Signature"] == signature(
        endpoint.secret, timestamp, request.body
    )
    assert request.headers["Content-Type"] == "application/json"


def test_the_documented_snippet_verifies_a_real_delivery(endpoint, receiver, tip, pay):
    pay(tip, confirm=False)
    verify = documented_verify_function()
    (request,) = receiver.requests

    assert verify(endpoint.secret, request.headers, request.body)
    assert not verify("whsec_wrong", request.headers, request.body)
    assert not verify(endpoint.secret, request.headers, request.body + b" ")
    stale = {
        **request.headers,
        "X-Bitcache-Timestamp": str(int(request.headers["X-Bitcache-Timestamp"]) - 3600),
    }
    assert not verify(endpoint.secret, stale, request.body)


def test_it_sends_reverted_when_a_payment_is_replaced(
    endpoint, receiver, tip, chain, watch, pay, django_capture_on_commit_callbacks
):
    txid = pay(tip, confirm=False)

    with django_capture_on_commit_callbacks(execute=True):
        chain.replace(txid, [("bc1qnotthetipaddressxxxxxxxxxxxxxxxxxxxxxx", 4000)])
        watch()

    assert receiver.events() == ["tip.detected", "tip.reverted"]
    assert json.loads(receiver.requests[1].body)["data"]["tip"]["status"] == "awaiting_payment"


def test_it_sends_reverted_when_a_block_is_reorganised_away(
    endpoint, receiver, tip, chain, watch, pay, django_capture_on_commit_callbacks
):
    txid = pay(tip)

    with django_capture_on_commit_callbacks(execute=True):
        chain.reorg(1, drop_txids=[txid])
        watch()

    assert receiver.events() == ["tip.detected", "tip.confirmed", "tip.reverted"]


def test_it_sends_only_the_chosen_events(creator, receiver, tip, pay):
    webhook_endpoint_create(creator=creator, url=receiver.url, events=["tip.confirmed"])

    pay(tip)

    assert receiver.events() == ["tip.confirmed"]


def test_it_sends_nothing_to_a_disabled_endpoint(endpoint, receiver, tip, pay):
    WebhookEndpoint.objects.filter(pk=endpoint.pk).update(is_active=False)

    pay(tip)

    assert receiver.requests == []
    assert not WebhookDelivery.objects.exists()


def test_it_schedules_a_retry_when_the_receiver_fails(endpoint, receiver, tip, pay):
    receiver.status = 500

    pay(tip, confirm=False)

    delivery = WebhookDelivery.objects.get()
    assert delivery.status == DeliveryStatus.PENDING
    assert delivery.attempts == 1
    assert delivery.response_code == 500
    assert delivery.error == "HTTP 500"
    assert delivery.next_attempt_at - delivery.last_attempt_at == timedelta(seconds=30)
    endpoint.refresh_from_db()
    assert endpoint.failing_since == delivery.last_attempt_at


def test_beat_picks_up_due_retries(endpoint, receiver, tip, pay):
    receiver.status = 503
    pay(tip, confirm=False)
    receiver.status = 200

    webhooks_deliver_due()  # not due yet
    WebhookDelivery.objects.update(next_attempt_at=timezone.now())
    webhooks_deliver_due()

    delivery = WebhookDelivery.objects.get()
    assert delivery.status == DeliveryStatus.SUCCEEDED
    assert delivery.attempts == 2
    assert len(receiver.requests) == 2
    first, second = (json.loads(request.body)["id"] for request in receiver.requests)
    assert first == second  # the same event: the receiver's idempotency key
    endpoint.refresh_from_db()
    assert endpoint.failing_since is None


def test_a_delivery_is_attempted_by_one_worker_at_a_time(endpoint, receiver, tip, pay):
    receiver.status = 500
    pay(tip, confirm=False)
    delivery = WebhookDelivery.objects.get()
    now = delivery.next_attempt_at

    assert webhook_delivery_attempt(delivery_id=delivery.pk, now=now) is not None
    # A second worker given the same id at the same moment finds it held.
    assert webhook_delivery_attempt(delivery_id=delivery.pk, now=now) is None
    assert len(receiver.requests) == 2


def test_it_backs_off_exponentially_and_gives_up_after_a_day(endpoint, receiver, tip, pay):
    receiver.status = 500
    pay(tip, confirm=False)
    delivery = WebhookDelivery.objects.get()
    first_attempt = delivery.last_attempt_at
    delays = []
    while delivery.status == DeliveryStatus.PENDING:
        attempted_at = delivery.next_attempt_at
        delivery = webhook_delivery_attempt(delivery_id=delivery.pk, now=attempted_at)
        if delivery.next_attempt_at:
            delays.append(delivery.next_attempt_at - attempted_at)

    assert delays[:4] == [
        timedelta(minutes=1),
        timedelta(minutes=2),
        timedelta(minutes=4),
        timedelta(minutes=8),
    ]
    assert max(delays) == timedelta(hours=4)
    assert delivery.status == DeliveryStatus.FAILED
    assert delivery.last_attempt_at == delivery.give_up_at  # tried once more at the very end
    assert delivery.give_up_at - first_attempt == timedelta(hours=24)


def test_an_endpoint_failing_for_a_day_is_disabled_and_its_creator_emailed(
    endpoint, receiver, tip, pay, mailoutbox, creator, django_capture_on_commit_callbacks
):
    receiver.status = 500
    pay(tip, confirm=False)
    delivery = WebhookDelivery.objects.get()

    webhook_delivery_attempt(delivery_id=delivery.pk, now=delivery.created_at + timedelta(hours=23))
    endpoint.refresh_from_db()
    assert endpoint.is_active
    with django_capture_on_commit_callbacks(execute=True):
        webhook_delivery_attempt(delivery_id=delivery.pk, now=delivery.give_up_at)

    endpoint.refresh_from_db()
    assert not endpoint.is_active
    assert endpoint.disabled_at == delivery.give_up_at
    (email,) = mailoutbox
    assert email.to == [creator.user.email]
    assert email.subject == "A webhook endpoint was disabled"
    assert receiver.url in email.body
    assert f"/dashboard/webhooks/{endpoint.public_id}/" in email.body


def test_it_never_follows_a_redirect(endpoint, receiver, tip, pay):
    receiver.status = 302
    receiver.headers = {"Location": "http://127.0.0.1:1/elsewhere"}

    pay(tip, confirm=False)

    delivery = WebhookDelivery.objects.get()
    assert len(receiver.requests) == 1
    assert delivery.status == DeliveryStatus.PENDING
    assert delivery.response_code == 302
    assert delivery.error == "HTTP 302"


@override_settings(BITCACHE_WEBHOOK_ALLOWED_NETWORKS=[])
def test_it_refuses_to_deliver_to_a_loopback_address(endpoint, receiver, tip, pay):
    pay(tip, confirm=False)

    delivery = WebhookDelivery.objects.get()
    assert receiver.requests == []
    assert delivery.response_code is None
    assert delivery.error == "127.0.0.1 resolves to an address webhooks may not reach"


def test_it_never_shows_the_creator_the_private_address_a_name_resolves_to(creator, tip, pay):
    webhook_endpoint_create(creator=creator, url="http://localhost/", events=["tip.detected"])

    with override_settings(BITCACHE_WEBHOOK_ALLOWED_NETWORKS=[]):
        pay(tip, confirm=False)

    delivery = WebhookDelivery.objects.get()
    assert delivery.error == "localhost resolves to an address webhooks may not reach"


def test_it_says_only_refused_or_timed_out_when_nothing_listens(creator, tip, pay):
    import socket

    closed = socket.socket()
    closed.bind(("127.0.0.1", 0))
    port = closed.getsockname()[1]
    closed.close()  # nothing listens there now
    webhook_endpoint_create(
        creator=creator, url=f"http://127.0.0.1:{port}/", events=["tip.detected"]
    )

    pay(tip, confirm=False)

    delivery = WebhookDelivery.objects.get()
    assert delivery.error == "connection refused or timed out"


def test_it_gives_up_on_a_receiver_that_does_not_answer(creator, tip, pay):
    import socket

    silent = socket.socket()
    silent.bind(("127.0.0.1", 0))
    silent.listen()  # accepts connections, never answers
    port = silent.getsockname()[1]
    webhook_endpoint_create(
        creator=creator, url=f"http://127.0.0.1:{port}/", events=["tip.detected"]
    )
    try:
        with override_settings(BITCACHE_WEBHOOK_TIMEOUT_SECONDS=1):
            pay(tip, confirm=False)
    finally:
        silent.close()

    delivery = WebhookDelivery.objects.get()
    assert delivery.status == DeliveryStatus.PENDING
    assert delivery.error == "no answer within 1s"
