"""unlock.paid: the creator's endpoint hears of a sale once, without the sold link."""

from __future__ import annotations

import json

import pytest

from unlocks.models import UnlockGrant
from unlocks.services import item_create, purchase_create
from webhooks.services import webhook_endpoint_create

pytestmark = pytest.mark.django_db

SECRET_LINK = "https://files.example.net/secret-folder-7f3a"


@pytest.fixture
def item(creator):
    return item_create(
        creator=creator, title="Raw footage", price_sats=3000, target_url=SECRET_LINK
    )


def test_a_sale_is_delivered_once_without_the_link_or_receipt(creator, receiver, item, pay):
    webhook_endpoint_create(creator=creator, url=receiver.url, events=["unlock.paid"])
    purchase = purchase_create(item=item)

    pay(purchase)
    pay(purchase, sats=500)  # a later top-up: still one sale

    assert receiver.events() == ["unlock.paid"]
    body = json.loads(receiver.requests[0].body)
    grant = UnlockGrant.objects.get(purchase=purchase)
    assert body["data"]["item"] == {
        "id": item.public_id,
        "title": "Raw footage",
        "price_sats": 3000,
    }
    assert body["data"]["grant"]["id"] == grant.public_id
    assert body["data"]["purchase"]["id"] == purchase.public_id
    raw = receiver.requests[0].body.decode()
    assert "files.example.net" not in raw
    assert grant.receipt_code not in raw


def test_tip_only_endpoints_hear_nothing_of_sales(creator, receiver, item, pay):
    webhook_endpoint_create(creator=creator, url=receiver.url, events=["tip.confirmed"])
    purchase = purchase_create(item=item)

    pay(purchase)

    # The purchase is a tip too: its confirmation is delivered, the sale event is not.
    assert receiver.events() == ["tip.confirmed"]
