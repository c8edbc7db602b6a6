"""Sales limits under concurrent buyers, on the real PostgreSQL."""

from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection

from payments.services import TipRefused
from tests.factories import CreatorFactory
from unlocks.models import UnlockItem
from unlocks.services import item_create, purchase_create

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def buy(item_pk: int) -> str | None:
    """One buyer's request, on its own database connection."""
    try:
        return purchase_create(item=UnlockItem.objects.get(pk=item_pk)).public_id
    except TipRefused as refusal:
        assert refusal.code == "sold_out"
        return None
    finally:
        connection.close()


def test_concurrent_buyers_never_open_more_purchases_than_the_sales_limit(settings):
    settings.BITCACHE_MAX_OPEN_TIPS_PER_CREATOR = 1000
    item = item_create(
        creator=CreatorFactory(),
        title="Limited edition",
        price_sats=5000,
        target_url="https://files.example/limited",
        sales_limit=5,
    )

    with ThreadPoolExecutor(max_workers=12) as pool:
        opened = [p for p in pool.map(lambda _: buy(item.pk), range(40)) if p is not None]

    assert len(opened) == 5
    assert item.purchases.count() == 5
