"""When a purchase unlocks: the price reached, in the mempool (0-conf) or confirmed."""

from datetime import timedelta

import pytest
from django.utils import timezone

from payments.services import tip_create
from unlocks.models import UnlockGrant
from unlocks.selectors import purchase_missing_sats
from unlocks.services import purchase_create
from unlocks.signals import unlock_paid

pytestmark = pytest.mark.django_db

OTHER_ADDRESS = "bc1qnjg0jd8228aq7egyzacy8cys3knf9xvrerkf9g"


@pytest.fixture
def paid_events():
    events = []

    def record(grant, **kwargs):
        events.append(grant)

    unlock_paid.connect(record)
    yield events
    unlock_paid.disconnect(record)


def grants(purchase):
    return UnlockGrant.objects.filter(purchase=purchase)


def test_it_waits_for_confirmation_by_default(purchase, chain, watch):
    chain.send([(purchase.address.address, 5000)])
    watch()
    assert not grants(purchase).exists()

    chain.mine(1)
    watch()

    assert grants(purchase).count() == 1


def test_it_unlocks_in_the_mempool_when_the_creator_opted_in(make_item, chain, watch):
    purchase = purchase_create(item=make_item(allow_zero_conf=True))

    chain.send([(purchase.address.address, 5000)])
    watch()

    assert grants(purchase).count() == 1


def test_an_underpaid_purchase_unlocks_after_a_top_up_to_the_same_address(purchase, chain, watch):
    chain.send([(purchase.address.address, 3000)])
    chain.mine(1)
    watch()
    purchase.refresh_from_db()
    assert not grants(purchase).exists()
    assert purchase_missing_sats(purchase) == 2000

    chain.send([(purchase.address.address, 2000)])
    chain.mine(1)
    watch()

    purchase.refresh_from_db()
    assert purchase_missing_sats(purchase) == 0
    assert grants(purchase).count() == 1


def test_a_zero_conf_top_up_unlocks_while_the_status_stays_the_same(make_item, chain, watch):
    purchase = purchase_create(item=make_item(allow_zero_conf=True))
    chain.send([(purchase.address.address, 3000)])
    watch()
    assert not grants(purchase).exists()

    chain.send([(purchase.address.address, 2000)])
    watch()

    assert grants(purchase).count() == 1


def test_an_overpaid_purchase_unlocks(purchase, chain, watch):
    chain.send([(purchase.address.address, 9000)])
    chain.mine(1)
    watch()

    assert grants(purchase).count() == 1


def test_a_late_payment_still_unlocks_even_past_the_sales_limit(make_item, chain, watch):
    item = make_item(sales_limit=1)
    late = purchase_create(item=item, now=timezone.now() - timedelta(hours=2))
    watch()  # marks it expired
    on_time = purchase_create(item=item)

    for purchase in (late, on_time):
        chain.send([(purchase.address.address, 5000)])
    chain.mine(1)
    watch()

    assert grants(late).count() == 1
    assert grants(on_time).count() == 1


def test_it_grants_once_and_announces_it_once(purchase, chain, watch, paid_events, pay):
    pay(purchase)
    for _ in range(3):
        chain.mine(1)
        watch()

    assert grants(purchase).count() == 1
    assert paid_events == [grants(purchase).get()]


def test_a_plain_tip_never_gets_a_grant(creator, chain, watch):
    tip = tip_create(creator=creator, amount_sats=5000)
    chain.send([(tip.address.address, 5000)])
    chain.mine(1)
    watch()

    assert not UnlockGrant.objects.exists()
