"""A buyer pays a paid unlock over Lightning: the purchase's page carries one unified QR
(on-chain address and the creator's invoice), and access opens the moment it is paid."""

from __future__ import annotations

import pytest

from payments.lightning.simulated import simulated_invoice_pay
from payments.models import LightningInvoice, Rail, Tip, TipStatus
from tests.lightning.doubles import connect_simulated
from unlocks.selectors import purchase_grant

pytestmark = pytest.mark.django_db


def buy(client, item) -> Tip:
    response = client.post(f"/@alice/u/{item.public_id}")
    assert response.status_code == 302, response.content.decode()[:300]
    return Tip.objects.get(public_id=response["Location"].split("/")[3])


def test_with_a_wallet_the_purchase_can_be_paid_over_lightning_and_opens_at_once(
    client, creator, item, django_capture_on_commit_callbacks
):
    connect_simulated(creator)

    purchase = buy(client, item)
    state = client.get(f"/unlock/p/{purchase.public_id}/status.json").json()
    assert purchase.lightning_invoice.amount_sats == item.price_sats
    assert f"lightning={purchase.lightning_invoice.bolt11}" in state["payment_uri"]
    assert purchase_grant(purchase) is None

    with django_capture_on_commit_callbacks(execute=True):
        simulated_invoice_pay(tip=purchase)

    purchase.refresh_from_db()
    assert (purchase.status, purchase.rail) == (TipStatus.CONFIRMED, Rail.LIGHTNING)
    assert purchase_grant(purchase) is not None
    paid = client.get(f"/unlock/p/{purchase.public_id}/status.json").json()
    assert paid["access_url"].startswith("http") and "/unlock/" in paid["access_url"]


def test_without_a_wallet_the_purchase_is_on_chain_only(client, item):
    purchase = buy(client, item)

    assert not LightningInvoice.objects.filter(tip=purchase).exists()
    state = client.get(f"/unlock/p/{purchase.public_id}/status.json").json()
    assert "lightning=" not in state["payment_uri"]
