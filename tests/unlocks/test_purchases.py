"""Opening purchases: a tip of the item's price, within the item's sales limit."""

from datetime import timedelta

import pytest
from django.utils import timezone

from payments.models import TipStatus
from payments.services import TipRefused
from unlocks.services import item_set_active, purchase_create

pytestmark = pytest.mark.django_db


def test_it_opens_a_purchase_at_the_items_price(item, creator):
    purchase = purchase_create(item=item)

    assert purchase.unlock_item == item
    assert purchase.creator == creator
    assert purchase.amount_sats == purchase.minimum_sats == 5000
    assert purchase.status == TipStatus.AWAITING_PAYMENT
    assert purchase.address.address


def test_the_price_wins_over_the_creators_minimum_tip(make_item, creator):
    creator.min_tip_sats = 10_000
    creator.save()

    purchase = purchase_create(item=make_item(price_sats=2100))

    assert purchase.amount_sats == purchase.minimum_sats == 2100


def test_each_purchase_gets_its_own_address(item):
    first, second = purchase_create(item=item), purchase_create(item=item)

    assert first.address != second.address


def test_it_refuses_an_item_off_sale(item):
    item_set_active(item=item, active=False)

    with pytest.raises(TipRefused) as refused:
        purchase_create(item=item)

    assert refused.value.code == "not_on_sale"


def test_it_refuses_when_the_creator_takes_no_payments(item, creator):
    creator.status = "suspended"
    creator.save()

    with pytest.raises(TipRefused) as refused:
        purchase_create(item=item)

    assert refused.value.code == "not_accepting"


def test_open_purchases_hold_the_sales_limit(make_item):
    item = make_item(sales_limit=2)
    purchase_create(item=item)
    purchase_create(item=item)

    with pytest.raises(TipRefused) as refused:
        purchase_create(item=item)

    assert refused.value.code == "sold_out"
    assert item.purchases.count() == 2


def test_an_expired_unpaid_purchase_frees_its_place(make_item):
    item = make_item(sales_limit=1)
    purchase_create(item=item, now=timezone.now() - timedelta(hours=2))

    purchase = purchase_create(item=item)

    assert purchase.status == TipStatus.AWAITING_PAYMENT
    assert item.purchases.count() == 2


def test_a_paid_purchase_keeps_its_place_after_its_window(make_item, chain, watch):
    item = make_item(sales_limit=1)
    paid = purchase_create(item=item, now=timezone.now() - timedelta(minutes=59))
    chain.send([(paid.address.address, 5000)])
    watch()

    with pytest.raises(TipRefused):
        purchase_create(item=item, now=timezone.now() + timedelta(hours=1))
