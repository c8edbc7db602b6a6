"""Allocation under concurrent requests, on the real PostgreSQL."""

from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection

from payments.models import Address, Tip
from payments.services import TipRefused, tip_create
from tests.factories import CreatorFactory, address_of

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def create_tips(creator_pk: int, count: int) -> list[str]:
    from creators.models import Creator

    try:
        creator = Creator.objects.get(pk=creator_pk)
        return [address_of(tip_create(creator=creator, amount_sats=5000)) for _ in range(count)]
    finally:
        connection.close()


def test_parallel_tip_creations_get_distinct_addresses_without_deadlock(settings):
    settings.BITCACHE_MAX_OPEN_TIPS_PER_CREATOR = 1000
    settings.BITCACHE_GAP_LIMIT = 1000
    creator = CreatorFactory(status="active")

    with ThreadPoolExecutor(max_workers=12) as pool:
        results = list(pool.map(lambda _: create_tips(creator.pk, 5), range(12)))

    addresses = [address for batch in results for address in batch]
    assert len(addresses) == 60
    assert len(set(addresses)) == 60
    assert sorted(Address.objects.values_list("index", flat=True)) == list(range(60))


def test_the_open_tip_cap_holds_under_concurrent_requests(settings):
    settings.BITCACHE_MAX_OPEN_TIPS_PER_CREATOR = 10
    creator = CreatorFactory(status="active")

    def attempt(_):
        try:
            return create_tips(creator.pk, 1)
        except TipRefused:
            return []

    with ThreadPoolExecutor(max_workers=12) as pool:
        created = [a for batch in pool.map(attempt, range(30)) for a in batch]

    assert len(created) == 10
    assert Tip.objects.filter(creator=creator).count() == 10


def test_two_creators_allocate_in_parallel_independently(settings):
    settings.BITCACHE_MAX_OPEN_TIPS_PER_CREATOR = 1000
    first, second = CreatorFactory(status="active"), CreatorFactory(status="active")

    with ThreadPoolExecutor(max_workers=8) as pool:
        batches = list(pool.map(lambda pk: create_tips(pk, 5), [first.pk, second.pk] * 4))

    assert len({a for batch in batches for a in batch}) == 40
    for creator in (first, second):
        indexes = sorted(Address.objects.filter(creator=creator).values_list("index", flat=True))
        assert indexes == list(range(20))
