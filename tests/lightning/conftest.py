"""Fixtures for the Lightning rail: an active creator with a wallet, and tips made on it."""

from __future__ import annotations

import pytest
from django.core.cache import cache

from btc.lnurl import pay_metadata
from tests.factories import CreatorFactory
from tests.lightning.doubles import WalletDouble, connect_simulated

METADATA = pay_metadata(text="Tip for Alice", identifier="alice@127.0.0.1")


@pytest.fixture(autouse=True)
def fresh_rate_limits_and_double():
    cache.clear()
    WalletDouble.reset()
    yield
    cache.clear()


@pytest.fixture
def creator(db):
    return CreatorFactory(handle="alice", display_name="Alice", min_tip_sats=10)


@pytest.fixture
def wallet(creator):
    return connect_simulated(creator)
