"""Fixtures for the tip page, the widget and the creator's widget pages."""

from __future__ import annotations

import pytest
from django.core.cache import cache

from chain.simulated import SimulatedChain
from payments.services import tip_create
from payments.tasks import watch_chain
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
    return CreatorFactory(
        handle="alice",
        display_name="Alice Films",
        bio="I make films about bitcoin.",
        min_tip_sats=1000,
        thank_you_message="Merci, you made my day!",
    )


@pytest.fixture
def widget(creator):
    return widget_create(
        creator=creator, label="Under my videos", min_tip_sats=2000, suggested_amounts=[2000, 5000]
    )


@pytest.fixture
def make_widget():
    def make(creator, **fields):
        fields.setdefault("label", "A widget")
        fields.setdefault("min_tip_sats", creator.min_tip_sats)
        return widget_create(creator=creator, **fields)

    return make


@pytest.fixture
def tip(creator):
    return tip_create(creator=creator, amount_sats=5000, name="Bob", message="Great video")


@pytest.fixture
def creator_client(client, creator):
    client.force_login(creator.user)
    return client


@pytest.fixture
def chain(db) -> SimulatedChain:
    chain = SimulatedChain.from_settings()
    chain.ensure_genesis()
    watch_chain()  # the first run sets the starting height
    return chain
