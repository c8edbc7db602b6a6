"""Fixtures for paid unlocks: a creator selling an item whose link is a unique secret."""

from __future__ import annotations

import pytest
from django.core.cache import cache

from payments.models import Tip
from tests.factories import CreatorFactory
from unlocks.models import UnlockItem
from unlocks.services import item_create, purchase_create

# Unique enough that finding it (or its host, or its path) anywhere is a leak.
SECRET_HOST = "files.secret-host-4f9c2.example"
SECRET_PATH = "/d/8b1e77c0-only-for-buyers"
SECRET_URL = f"https://{SECRET_HOST}{SECRET_PATH}?dl=1"


@pytest.fixture(autouse=True)
def fresh_rate_limits():
    """Rate-limit counters live in the cache; each test starts with none."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def creator(db):
    return CreatorFactory(handle="alice", display_name="Alice Films", min_tip_sats=1000)


@pytest.fixture
def make_item(creator):
    def make(**fields) -> UnlockItem:
        fields.setdefault("creator", creator)
        fields.setdefault("title", "Director's cut")
        fields.setdefault("price_sats", 5000)
        fields.setdefault("target_url", SECRET_URL)
        return item_create(**fields)

    return make


@pytest.fixture
def item(make_item) -> UnlockItem:
    return make_item(description="The full film, 4K, with commentary.")


@pytest.fixture
def purchase(item) -> Tip:
    return purchase_create(item=item)


@pytest.fixture
def creator_client(client, creator):
    client.force_login(creator.user)
    return client
