"""Core's ZMQ news turns into watcher runs: the right ones, and none lost to a busy lock."""

from __future__ import annotations

import pytest
from embit.script import Script

from chain.zmq import Notification, ZmqSubscriber
from payments.onchain.zmq_follow import BLOCKS, MEMPOOL, follow, looks_for
from tests.chain.blocks import P2WPKH, output, transaction
from tests.chain.test_zmq import Publisher, connected, publisher  # noqa: F401 - fixture


def rawtx(*destinations: str) -> Notification:
    tx = transaction([output(d, 5000) for d in destinations], segwit=True)
    return Notification("rawtx", tx.serialize(), 7, missed=False)


def test_a_transaction_paying_an_open_tip_calls_for_a_mempool_look(make_tip) -> None:
    tip = make_tip()

    assert looks_for(rawtx(P2WPKH, tip.address.address)) == {MEMPOOL}


def test_a_transaction_paying_nobody_we_watch_calls_for_nothing(make_tip) -> None:
    make_tip()

    assert looks_for(rawtx(P2WPKH)) == set()
    only_data = transaction([output(Script(bytes.fromhex("6a0100")), 0)], segwit=False)
    assert looks_for(Notification("rawtx", only_data.serialize(), 8, missed=False)) == set()


def test_a_block_calls_for_a_block_scan_and_lost_news_for_both(db) -> None:
    assert looks_for(Notification("hashblock", bytes(32), 3, missed=False)) == {BLOCKS}
    assert looks_for(Notification("hashblock", bytes(32), 9, missed=True)) == {BLOCKS, MEMPOOL}


def test_a_transaction_that_does_not_parse_still_calls_for_a_look(db) -> None:
    assert looks_for(Notification("rawtx", b"\x02\x00", 1, missed=False)) == {MEMPOOL}


class Runs:
    """Watcher runs that answer None (busy: another process holds the lock) `busy` times."""

    def __init__(self, busy: int = 0) -> None:
        self.busy = busy
        self.log: list[str] = []

    def __call__(self, look: str):
        def run() -> dict | None:
            self.log.append(look)
            if self.busy:
                self.busy -= 1
                return None
            return {}

        return run


def follow_turns(subscriber: ZmqSubscriber, runs: Runs, turns: int) -> None:
    left = iter(range(turns))
    follow(
        subscriber,
        {BLOCKS: runs(BLOCKS), MEMPOOL: runs(MEMPOOL)},
        keep_going=lambda: next(left, None) is not None,
    )


@pytest.fixture(autouse=True)
def _short_waits(monkeypatch):
    monkeypatch.setattr("payments.onchain.zmq_follow.IDLE_SECONDS", 0.01)
    monkeypatch.setattr("payments.onchain.zmq_follow.RETRY_SECONDS", 0.01)


def test_each_announced_block_is_scanned_once(publisher: Publisher, db) -> None:  # noqa: F811
    subscriber = connected(publisher)
    runs = Runs()

    publisher.send("hashblock", bytes(32))
    follow_turns(subscriber, runs, turns=20)

    assert runs.log == [BLOCKS]


def test_a_run_that_found_the_watcher_busy_is_tried_until_it_runs(
    publisher: Publisher,  # noqa: F811
    make_tip,
) -> None:
    tip = make_tip()
    subscriber = connected(publisher)
    runs = Runs(busy=2)

    publisher.send("rawtx", rawtx(tip.address.address).body)
    follow_turns(subscriber, runs, turns=20)

    assert runs.log == [MEMPOOL, MEMPOOL, MEMPOOL]


@pytest.mark.parametrize("settings_source", ["simulated"])
def test_the_command_refuses_without_core_and_its_endpoints(settings, settings_source) -> None:
    from django.core.management import CommandError, call_command

    settings.BITCACHE_CHAIN_SOURCE = settings_source
    with pytest.raises(CommandError, match="BITCACHE_CHAIN_SOURCE=bitcoind"):
        call_command("watch_zmq")
    settings.BITCACHE_CHAIN_SOURCE = "bitcoind"
    settings.BITCACHE_BITCOIND_ZMQ = []
    with pytest.raises(CommandError, match="BITCACHE_BITCOIND_ZMQ"):
        call_command("watch_zmq")
