"""Fixtures for the Lightning rail: an active creator with a wallet, tips made on it, and
a Lightning Address provider double with the adapter pointed at it."""

from __future__ import annotations

import pytest
from django.core.cache import cache

from btc.lnurl import pay_metadata
from payments.lightning import address_wallet
from tests.factories import CreatorFactory
from tests.lightning.doubles import WalletDouble, connect_simulated
from tests.lightning.provider import lightning_address_provider

METADATA = pay_metadata(text="Tip for Alice", identifier="alice@127.0.0.1")


@pytest.fixture(autouse=True)
def fresh_rate_limits_and_double():
    cache.clear()
    WalletDouble.reset()
    yield
    cache.clear()


@pytest.fixture
def provider(monkeypatch):
    """The provider double; `alice@provider.example` resolves to it (LUD-16's well-known
    URL cannot name a port, so only that first URL is pointed here: the callback and
    verify URLs it hands out go through the SSRF guard like any provider's)."""
    with lightning_address_provider() as provider:
        monkeypatch.setattr(
            address_wallet, "pay_request_url", lambda address: provider.pay_request_url
        )
        yield provider


@pytest.fixture
def fake_nwc(monkeypatch):
    """Registers the stand-in "nwc" adapter for the test (the lead wires the real one)."""
    from payments.lightning import wallets
    from tests.lightning.fake_nwc import FakeNwcWallet

    monkeypatch.setitem(wallets._ADAPTERS, "nwc", FakeNwcWallet)
    return FakeNwcWallet


@pytest.fixture
def creator(db):
    return CreatorFactory(handle="alice", display_name="Alice", min_tip_sats=10)


@pytest.fixture
def wallet(creator):
    return connect_simulated(creator)
