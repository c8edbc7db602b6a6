"""A creator connected through their Lightning Address gets tips at <handle>@<site>: the
site serves the provider's metadata (the provider's invoices commit to it, so the payer's
wallet accepts them), offers no payer name or zaps, and sees the payment through LUD-21."""

from __future__ import annotations

import json

import pytest

from btc.bolt11 import invoice_decode
from btc.lnurl import metadata_hash
from payments.lightning.connections import lightning_wallet_connect
from payments.lightning.services import invoice_lookup
from payments.models import Rail, Tip, TipStatus
from tests.lightning.provider import ADDRESS

pytestmark = pytest.mark.django_db

PAY = "/.well-known/lnurlp/alice"
CALLBACK = "/.well-known/lnurlp/alice/callback"


@pytest.fixture
def connected(creator, provider):
    lightning_wallet_connect(creator=creator, kind="lightning_address", text=ADDRESS)
    return provider


def get(client, url, **query):
    return json.loads(client.get(url, query).content)


def test_the_pay_request_carries_the_providers_metadata_and_no_zaps(client, connected):
    pay = get(client, PAY)

    assert pay["metadata"] == connected.metadata
    assert "allowsNostr" not in pay and "payerData" not in pay
    assert pay["minSendable"] >= connected.min_sendable_msat


def test_a_tip_through_the_providers_invoice_is_credited_once_its_verify_says_paid(
    client, connected
):
    pay = get(client, PAY)
    answer = get(client, CALLBACK, amount=21_000, comment="from my phone")

    decoded = invoice_decode(answer["pr"])
    assert decoded.description_hash == metadata_hash(pay["metadata"])
    tip = Tip.objects.get()
    invoice = tip.lightning_invoice
    assert invoice.verify_url.startswith(connected.server.url(""))
    assert not invoice_lookup(invoice_id=invoice.pk)

    connected.pay(invoice.payment_hash)

    assert invoice_lookup(invoice_id=invoice.pk)
    tip.refresh_from_db()
    assert (tip.rail, tip.status, tip.message) == (
        Rail.LIGHTNING,
        TipStatus.CONFIRMED,
        "from my phone",
    )


def test_a_zap_request_is_refused_through_a_lightning_address(client, connected):
    answer = get(client, CALLBACK, amount=21_000, nostr="{}")

    assert answer["status"] == "ERROR"
    assert not Tip.objects.exists()
