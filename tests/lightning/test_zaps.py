"""A paid zap gets its receipt: signed by the site's nostr key, published to the relays the
zap request named (a real relay on loopback), retried where a relay was down."""

from __future__ import annotations

import json
import time
from datetime import timedelta

import pytest
from django.conf import settings
from django.utils import timezone
from websockets.sync.client import connect

from nwc.events import event_sign, public_key_of, secret_key_generate
from nwc.nip57 import zap_receipt_parse
from payments.lightning.simulated import simulated_invoice_pay
from payments.lightning.zaps import zap_receipts_send_due
from payments.models import LightningInvoice, ZapReceipt
from tests.nwc.conftest import relay  # noqa: F401 - fixture
from tests.nwc.local_relay import free_port

pytestmark = pytest.mark.django_db

CALLBACK = "/.well-known/lnurlp/alice/callback"


def zap_request(zapper: str, *relays: str) -> str:
    tags = [["p", "ab" * 32], ["relays", *relays], ["amount", "21000"]]
    return event_sign(
        zapper, kind=9734, content="great stream", created_at=int(time.time()), tags=tags
    ).as_json()


def receipts_on(relay_url: str) -> list[dict]:
    with connect(relay_url, open_timeout=5) as ws:
        ws.send(json.dumps(["REQ", "receipts", {"kinds": [9735]}]))
        events: list[dict] = []
        while True:
            message = json.loads(ws.recv(timeout=5))
            if message[0] == "EOSE":
                return events
            if message[0] == "EVENT":
                events.append(message[2])


def zap_and_pay(client, wallet, capture, request: str) -> LightningInvoice:
    answer = json.loads(client.get(CALLBACK, {"amount": 21_000, "nostr": request}).content)
    assert "pr" in answer, answer
    invoice = LightningInvoice.objects.get()
    with capture(execute=True):
        simulated_invoice_pay(tip=invoice.tip)
    invoice.refresh_from_db()
    return invoice


def test_a_paid_zap_gets_a_receipt_on_the_requests_relay(
    client,
    wallet,
    relay,  # noqa: F811
    django_capture_on_commit_callbacks,
):
    zapper = secret_key_generate()
    request = zap_request(zapper, relay.url)

    invoice = zap_and_pay(client, wallet, django_capture_on_commit_callbacks, request)

    site = public_key_of(settings.BITCACHE_NOSTR_SECRET_KEY)
    mine = [e for e in receipts_on(relay.url) if e["pubkey"] == site]
    receipt = zap_receipt_parse(
        next(e for e in mine if ["bolt11", invoice.bolt11] in e["tags"]), site_pubkey=site
    )
    assert receipt.tag_values("description") == [request]
    assert receipt.tag_values("P") == [public_key_of(zapper)]
    assert receipt.tag_values("preimage") == [invoice.preimage]
    assert receipt.created_at == int(invoice.settled_at.timestamp())
    assert ZapReceipt.objects.get().next_attempt_at is None


def test_a_relay_that_is_down_is_tried_again_later_and_then_given_up(
    client,
    wallet,
    relay,  # noqa: F811
    django_capture_on_commit_callbacks,
):
    down = f"ws://127.0.0.1:{free_port()}"
    request = zap_request(secret_key_generate(), relay.url, down)

    zap_and_pay(client, wallet, django_capture_on_commit_callbacks, request)

    receipt = ZapReceipt.objects.get()
    assert receipt.published_to == [relay.url]
    assert receipt.attempts == 1 and receipt.next_attempt_at is not None
    for _ in range(10):  # each retry, as if its time had come
        if not ZapReceipt.objects.filter(pk=receipt.pk, next_attempt_at__isnull=False).update(
            next_attempt_at=timezone.now() - timedelta(seconds=1)
        ):
            break
        zap_receipts_send_due()
    receipt.refresh_from_db()
    assert receipt.next_attempt_at is None  # given up after its last attempt
    assert receipt.published_to == [relay.url]
    assert receipt.attempts == 6


def test_a_plain_lightning_tip_signs_no_receipt(client, wallet, django_capture_on_commit_callbacks):
    json.loads(client.get(CALLBACK, {"amount": 21_000}).content)
    with django_capture_on_commit_callbacks(execute=True):
        simulated_invoice_pay(tip=LightningInvoice.objects.get().tip)

    assert not ZapReceipt.objects.exists()
