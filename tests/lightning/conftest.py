"""A Lightning Address provider double, and the adapter pointed at it."""

from __future__ import annotations

import pytest

from payments.lightning import address_wallet
from tests.lightning.provider import lightning_address_provider


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
    from tests.factories import CreatorFactory

    return CreatorFactory(handle="alice")
