"""A Lightning tip's payment reaches webhooks as tip.confirmed, saying which rail paid it."""

from __future__ import annotations

import json

import pytest

from btc.lnurl import pay_metadata
from payments.lightning.services import lightning_tip_create
from payments.lightning.simulated import simulated_invoice_pay
from tests.lightning.doubles import connect_simulated

pytestmark = pytest.mark.django_db


def test_a_settled_invoice_is_delivered_as_tip_confirmed_with_its_rail(
    creator, endpoint, receiver, django_capture_on_commit_callbacks
):
    connect_simulated(creator)
    tip = lightning_tip_create(
        creator=creator,
        amount_msat=2_100_000,
        description=pay_metadata(text="Tip", identifier="alice@127.0.0.1"),
        name="Bob",
    )

    with django_capture_on_commit_callbacks(execute=True):
        simulated_invoice_pay(tip=tip)

    # As for an on-chain payment that arrives straight in a block: detected, then confirmed.
    assert receiver.events() == ["tip.detected", "tip.confirmed"]
    assert json.loads(receiver.requests[0].body)["data"]["tip"]["rail"] == "lightning"
    body = json.loads(receiver.requests[1].body)
    assert body["data"]["tip"]["rail"] == "lightning"
    assert body["data"]["tip"]["confirmed_sats"] == 2100
    assert body["data"]["tip"]["payment_hash"] == tip.lightning_invoice.payment_hash
    assert body["data"]["tip"]["address"] is None
