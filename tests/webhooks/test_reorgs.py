"""A reorg that re-mines the same transactions takes nothing back: integrators hear no
tip.reverted and buyers keep their access. One that drops a payment says so once."""

from __future__ import annotations

import pytest

from payments.models import TipStatus
from payments.services import tip_create
from unlocks.selectors import access_by_receipt
from unlocks.services import item_create, purchase_create
from webhooks.models import WebhookDelivery
from webhooks.services import webhook_endpoint_create

pytestmark = pytest.mark.django_db


def reverted_deliveries() -> int:
    return WebhookDelivery.objects.filter(event_type="tip.reverted").count()


@pytest.fixture
def paid_tips(creator, endpoint, chain, pay):
    """Three tips confirmed in three consecutive blocks, each with its two deliveries."""
    tips = [tip_create(creator=creator, amount_sats=5000) for _ in range(3)]
    for tip in tips:
        pay(tip)
    return tips


@pytest.mark.parametrize("depth", [3, 7])
def test_a_reorg_keeping_every_payment_sends_no_reverted(
    depth, paid_tips, receiver, chain, watch, django_capture_on_commit_callbacks
):
    if depth > 3:
        chain.mine(depth - 3)  # the three paid blocks are the deepest reorganised ones
        watch()
    with django_capture_on_commit_callbacks(execute=True):
        chain.reorg(depth)
        report = watch()

    assert report["reorgs"] == 1
    assert reverted_deliveries() == 0
    assert receiver.events() == ["tip.detected", "tip.confirmed"] * 3
    for tip in paid_tips:
        tip.refresh_from_db()
        assert tip.status == TipStatus.CONFIRMED


def test_a_reorg_dropping_one_payment_sends_one_reverted(
    paid_tips, receiver, chain, watch, django_capture_on_commit_callbacks
):
    dropped = paid_tips[1]
    (txid,) = dropped.payments.values_list("txid", flat=True)

    with django_capture_on_commit_callbacks(execute=True):
        chain.reorg(3, drop_txids=[txid])
        watch()

    (reverted,) = WebhookDelivery.objects.filter(event_type="tip.reverted")
    assert reverted.tip_id == dropped.pk
    assert reverted.payload["data"]["previous_status"] == "confirmed"
    assert reverted.payload["data"]["tip"]["status"] == "awaiting_payment"
    assert receiver.events().count("tip.reverted") == 1


@pytest.mark.parametrize("depth", [3, 7])
def test_a_reorg_keeping_the_payment_leaves_a_buyers_access_open(
    depth, creator, receiver, chain, watch, pay, django_capture_on_commit_callbacks
):
    webhook_endpoint_create(
        creator=creator, url=receiver.url, events=["unlock.paid", "tip.reverted"]
    )
    item = item_create(
        creator=creator, title="Raw footage", price_sats=3000, target_url="https://x.example/f"
    )
    purchase = purchase_create(item=item)
    pay(purchase)
    grant = purchase.unlock_grant
    chain.mine(depth - 1)  # the paid block is the deepest reorganised one
    watch()

    with django_capture_on_commit_callbacks(execute=True):
        chain.reorg(depth)
        watch()

    access = access_by_receipt(grant.receipt_code)
    assert access.grant == grant
    assert access.refusal is None
    assert receiver.events() == ["unlock.paid"]
