"""The Esplora adapter against a local server speaking Esplora's API."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest
from django.core.exceptions import ImproperlyConfigured

from chain import ChainSourceError, NotFound, Transaction, TxOutput
from chain.esplora import EsploraChain
from chain.http import RetryPolicy

from .blocks import GENESIS_HASH, GENESIS_RAW, P2PKH, P2TR, P2WPKH, BuiltBlock, every_kind_block
from .servers import EsploraApp, LocalServer, Reply, as_json, esplora_tx_json, text

GENESIS = BuiltBlock(GENESIS_RAW, GENESIS_HASH, "0" * 64, [], [])
BLOCK_1 = every_kind_block()
TXID_A = "aa" * 32
TXID_B = "bb" * 32
ADDRESS = "scriptpubkey_address"


@pytest.fixture
def app() -> EsploraApp:
    app = EsploraApp([GENESIS, BLOCK_1])
    app.transactions[TXID_A] = esplora_tx_json(TXID_A, [(P2WPKH, 1), (None, 0)])
    app.mempool[P2WPKH] = [esplora_tx_json(TXID_A, [(P2WPKH, 1), (None, 0)])]
    app.mempool[P2TR] = [
        esplora_tx_json(TXID_A, [(P2WPKH, 1), (None, 0)]),
        esplora_tx_json(TXID_B, [(P2TR, 2_099_999_997_690_000)]),
    ]
    return app


@pytest.fixture
def server(app: EsploraApp) -> Iterator[LocalServer]:
    with LocalServer(app) as running:
        yield running


def esplora(server: LocalServer, *, network: str = "mainnet", timeout: float = 2) -> EsploraChain:
    fast = RetryPolicy(attempts=3, base_delay=0.01, max_delay=0.02)
    return EsploraChain(server.url, network=network, timeout_seconds=timeout, retry=fast)


def test_it_reads_the_tip(server: LocalServer) -> None:
    tip = esplora(server).tip()

    assert (tip.height, tip.hash, tip.prev_hash) == (1, BLOCK_1.hash, GENESIS_HASH)


def test_it_checks_the_network_once(server: LocalServer) -> None:
    source = esplora(server)

    source.tip()
    source.tip()

    assert server.paths().count("/block-height/0") == 1


def test_it_refuses_a_server_on_another_network(server: LocalServer) -> None:
    with pytest.raises(ChainSourceError, match=r"different network.*testnet"):
        esplora(server, network="testnet").tip()


def test_a_whole_block_costs_two_requests(server: LocalServer) -> None:
    block = esplora(server).block(BLOCK_1.hash)

    assert server.paths() == [f"/block/{BLOCK_1.hash}", f"/block/{BLOCK_1.hash}/raw"]
    assert (block.height, block.hash, block.header.prev_hash) == (1, BLOCK_1.hash, GENESIS_HASH)
    assert [tx.txid for tx in block.transactions] == BLOCK_1.txids
    assert block.transactions[1].outputs[0] == TxOutput(index=0, value_sats=1, address=P2PKH)


def test_the_genesis_block_has_no_previous_block(server: LocalServer) -> None:
    block = esplora(server).block(GENESIS_HASH)

    assert (block.height, block.header.prev_hash) == (0, "0" * 64)


def test_it_finds_block_hashes_by_height(server: LocalServer) -> None:
    assert esplora(server).block_hash(1) == BLOCK_1.hash


def test_a_height_above_the_tip_is_not_found(server: LocalServer) -> None:
    with pytest.raises(NotFound):
        esplora(server).block_hash(2)


def test_an_unknown_block_is_not_found(server: LocalServer) -> None:
    with pytest.raises(NotFound):
        esplora(server).block("cc" * 32)


def test_a_raw_block_that_is_not_the_block_asked_for_is_refused(
    app: EsploraApp, server: LocalServer
) -> None:
    impostor = every_kind_block(height=7)
    app.blocks[1] = BuiltBlock(impostor.raw, BLOCK_1.hash, GENESIS_HASH, [], [])

    with pytest.raises(ChainSourceError, match="does not match block"):
        esplora(server).block(BLOCK_1.hash)


def test_it_reads_a_transaction(server: LocalServer) -> None:
    assert esplora(server).transaction(TXID_A) == Transaction(
        TXID_A, (TxOutput(0, 1, P2WPKH), TxOutput(1, 0, None))
    )


def test_an_unknown_transaction_is_none(server: LocalServer) -> None:
    assert esplora(server).transaction("cc" * 32) is None


def test_it_cannot_list_the_mempool_cheaply(server: LocalServer) -> None:
    assert esplora(server).mempool_txids() is None
    assert server.requests == []


def test_mempool_payments_cost_one_request_per_address(server: LocalServer) -> None:
    found = esplora(server).mempool_transactions([P2WPKH, P2TR, P2WPKH])

    assert sorted(server.paths()) == [
        f"/address/{P2TR}/txs/mempool",
        f"/address/{P2WPKH}/txs/mempool",
    ]
    assert sorted(tx.txid for tx in found) == [TXID_A, TXID_B]  # each transaction once
    assert {tx.txid: tx.outputs[0].value_sats for tx in found}[TXID_B] == 2_099_999_997_690_000


class CountingInFlight:
    """Esplora's mempool route, holding every answer until `together` requests are in
    flight at once (a barrier, no sleeping), and recording the most ever in flight."""

    def __init__(self, together: int) -> None:
        self.barrier = threading.Barrier(together, timeout=10)
        self.lock = threading.Lock()
        self.in_flight = 0
        self.most = 0

    def __call__(self, request) -> Reply:
        with self.lock:
            self.in_flight += 1
            self.most = max(self.most, self.in_flight)
        try:
            self.barrier.wait()
        except threading.BrokenBarrierError:
            return text("not enough requests at once", 400)
        finally:
            with self.lock:
                self.in_flight -= 1
        return as_json([])


def test_mempool_lookups_run_a_few_at_once_and_never_more() -> None:
    app = CountingInFlight(together=3)
    addresses = [P2WPKH, P2TR, P2PKH] + [f"bc1qaddress{n}" for n in range(9)]
    with LocalServer(app) as running:
        source = EsploraChain(running.url, network="mainnet", mempool_concurrency=3)

        assert source.mempool_transactions(addresses) == []

    assert len(running.requests) == 12
    assert app.most == 3


def test_it_retries_a_briefly_unavailable_server(server: LocalServer) -> None:
    server.fail_next(Reply(503), Reply(503))

    assert esplora(server).block_hash(0) == GENESIS_HASH
    assert len(server.requests) == 3


def test_a_server_slower_than_the_timeout_is_an_error(server: LocalServer) -> None:
    server.fail_next(*[Reply(200, b"", delay=2)] * 3)

    with pytest.raises(ChainSourceError, match="no answer within"):
        esplora(server, timeout=0.2).block_hash(0)


@pytest.mark.parametrize(
    ("path", "garbage"),
    [
        ("/blocks/tip/hash", text("<html>busy</html>")),
        ("/block-height/0", text("0" * 63)),
        (f"/block/{BLOCK_1.hash}", text("not json")),
        (f"/block/{BLOCK_1.hash}", as_json([1, 2])),
        (f"/block/{BLOCK_1.hash}", as_json({"id": BLOCK_1.hash, "height": "1"})),
        (f"/block/{BLOCK_1.hash}", as_json({"id": BLOCK_1.hash, "height": True})),
        (f"/block/{BLOCK_1.hash}/raw", Reply(body=BLOCK_1.raw[:-1])),
        (f"/block/{BLOCK_1.hash}/raw", Reply(body=b"\xff" * 100)),
        (f"/tx/{TXID_A}", as_json({"txid": TXID_A, "vout": "all"})),
        (f"/tx/{TXID_A}", as_json({"txid": TXID_A, "vout": [{"value": 1.5}]})),
        (f"/tx/{TXID_A}", as_json({"txid": TXID_A, "vout": [{"value": -1}]})),
        (f"/tx/{TXID_A}", as_json({"txid": TXID_A, "vout": [{"value": 2_100_000_000_000_001}]})),
        (f"/tx/{TXID_A}", as_json({"txid": TXID_B, "vout": []})),
        (
            f"/tx/{TXID_A}",
            as_json({"txid": TXID_A, "vout": [{"value": 1, "scriptpubkey_address": 7}]}),
        ),
        (f"/address/{P2WPKH}/txs/mempool", as_json({"txs": []})),
        (f"/address/{P2WPKH}/txs/mempool", as_json([None])),
        (f"/address/{P2WPKH}/txs/mempool", text("[" * 100_000)),
    ],
)
def test_garbage_answers_are_chain_source_errors(
    app: EsploraApp, server: LocalServer, path: str, garbage: Reply
) -> None:
    source = esplora(server)
    calls = {
        "/blocks/tip/hash": lambda: source.tip(),
        "/block-height/0": lambda: source.block_hash(0),
        f"/block/{BLOCK_1.hash}": lambda: source.block(BLOCK_1.hash),
        f"/block/{BLOCK_1.hash}/raw": lambda: source.block(BLOCK_1.hash),
        f"/tx/{TXID_A}": lambda: source.transaction(TXID_A),
        f"/address/{P2WPKH}/txs/mempool": lambda: source.mempool_transactions([P2WPKH]),
    }
    real = app.__call__
    server.app = lambda request: garbage if request.path == path else real(request)

    with pytest.raises(ChainSourceError, match=r"esplora at 127\.0\.0\.1"):
        calls[path]()


def test_from_settings_needs_a_url(settings) -> None:
    settings.BITCACHE_ESPLORA_URL = ""

    with pytest.raises(ImproperlyConfigured, match="BITCACHE_ESPLORA_URL"):
        EsploraChain.from_settings()


def test_from_settings_shares_one_instance_per_configuration(settings) -> None:
    settings.BITCACHE_ESPLORA_URL = "http://127.0.0.1:3002"

    assert EsploraChain.from_settings() is EsploraChain.from_settings()
