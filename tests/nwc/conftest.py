"""A real Nostr relay on loopback for the whole session (tests/nwc/local_relay.py), and the
NIP-47 wallet-service double on it. No Django here: tests/nwc also runs without settings."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.nwc.local_relay import Cutter, LocalRelay
from tests.nwc.wallet_service import WalletService


@pytest.fixture(scope="session")
def relay() -> Iterator[LocalRelay]:
    running = LocalRelay().start()
    yield running
    running.stop()


@pytest.fixture
def cutter(relay: LocalRelay) -> Iterator[Cutter]:
    """A proxy in front of the relay whose connections a test can drop."""
    proxy = Cutter(relay.port)
    yield proxy
    proxy.close()


@pytest.fixture
def wallet(relay: LocalRelay) -> Iterator[WalletService]:
    service = WalletService(relay.url).start()
    yield service
    service.stop()
