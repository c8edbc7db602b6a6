"""Fixtures for the API: a creator with an API key, and clients with or without it."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from rest_framework.test import APIClient

from creators.services import api_key_create
from tests.factories import CreatorFactory
from widgets.services import widget_create


@pytest.fixture(autouse=True)
def fresh_rate_limits():
    """Rate-limit counters live in the cache; each test starts with none."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def creator(db):
    return CreatorFactory(handle="alice", min_tip_sats=1000)


@pytest.fixture
def widget(creator):
    return widget_create(creator=creator, label="Under my videos", min_tip_sats=2000)


@pytest.fixture
def api_key(creator) -> str:
    _key, token = api_key_create(creator=creator, name="overlay")
    return token


@pytest.fixture
def anonymous() -> APIClient:
    return APIClient()


@pytest.fixture
def api(api_key) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {api_key}")
    return client
