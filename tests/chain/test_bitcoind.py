"""The Bitcoin Core adapter against a local server speaking Core's JSON-RPC."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st

from btc.money import sats_to_btc
from chain import ChainSourceError, NotFound, Transaction, TxOutput
from chain.bitcoind import BitcoindChain, btc_to_sats
from chain.http import RetryPolicy
from chain.models import ChainState, ScannedBlock
from payments.models import Payment
from payments.onchain.watcher import ScanReport, scan_mempool
from payments.services import tip_create
from payments.tasks import watch_chain
from tests.factories import CreatorFactory, address_of

from .blocks import GENESIS_HASH, OP_RETURN, P2PKH, P2SH, P2TR, P2WPKH, script_for
from .servers import BitcoindApp, LocalServer, Reply, RpcFailure

BLOCK_1 = "00000000839a8e6886ab5951d76f411475428afc90947ee320161bbf18eb6048"
TX_1 = "0e3e2357e806b6cdb1f70b54c3a3a17b6714ee1f0e68bebb44a74b1efd512098"
MAX_MONEY_BTC = Decimal("21000000")


CORE_27 = 270100
CORE_0_21 = 210100


def core_tx(
    txid: str, outputs: list[tuple[str | None, Decimal]], *, core_version: int = CORE_27
) -> dict[str, Any]:
    """A transaction as getrawtransaction <txid> true and getblock <hash> 2 show it.

    Core 22.0 and newer name an output's address in `address`; 0.21 and older in
    `addresses`, a list, next to `reqSigs`.
    """
    vout = []
    for n, (address, value) in enumerate(outputs):
        script = {"asm": "", "desc": "", "hex": OP_RETURN.data.hex(), "type": "nulldata"}
        if address:
            script = {**script, "hex": script_for(address).data.hex(), "type": "witness_v0_keyhash"}
            if core_version >= 220000:
                script["address"] = address
            else:
                script.update(reqSigs=1, addresses=[address])
        vout.append({"value": value, "n": n, "scriptPubKey": script})
    return {
        "txid": txid,
        "hash": txid,
        "version": 2,
        "size": 200,
        "vsize": 150,
        "weight": 600,
        "locktime": 0,
        "vin": [],
        "vout": vout,
        "hex": "00",
    }


class FakeNode:
    """Just enough of Core's state and RPC handlers, with Core's error codes and messages."""

    def __init__(self) -> None:
        self.version = CORE_27
        self.chain = "main"
        # Blocks as Core's JSON has them.
        self.blocks: list[dict[str, Any]] = [
            {"hash": GENESIS_HASH, "height": 0, "tx": [core_tx("4a" * 32, [(None, Decimal(50))])]},
            {
                "hash": BLOCK_1,
                "height": 1,
                "previousblockhash": GENESIS_HASH,
                "tx": [
                    core_tx(TX_1, [(P2WPKH, Decimal("0.00000001")), (None, Decimal("0E-8"))]),
                    core_tx("ab" * 32, [(P2TR, Decimal("20999999.9769"))]),
                ],
            },
        ]
        self.mempool: dict[str, dict[str, Any]] = {}

    def methods(self) -> dict[str, Any]:
        return {
            "getnetworkinfo": lambda: {
                "version": self.version,
                "subversion": f"/Satoshi:{self.version}/",
                "protocolversion": 70016,
            },
            "getblockchaininfo": lambda: {
                "chain": self.chain,
                "blocks": len(self.blocks) - 1,
                "bestblockhash": self.blocks[-1]["hash"],
            },
            "getblockheader": lambda block_hash, verbose=True: self._header(block_hash),
            "getblockhash": self._block_hash,
            "getblock": lambda block_hash, verbosity=1: self._block(block_hash),
            "getrawmempool": lambda: list(self.mempool),
            "getrawtransaction": self._transaction,
        }

    def _block_hash(self, height: int) -> str:
        if not 0 <= height < len(self.blocks):
            raise RpcFailure(-8, "Block height out of range")
        return self.blocks[height]["hash"]

    def _block(self, block_hash: str) -> dict[str, Any]:
        for block in self.blocks:
            if block["hash"] == block_hash:
                return {**block, "confirmations": 1, "version": 536870912, "nTx": len(block["tx"])}
        raise RpcFailure(-5, "Block not found")

    def _header(self, block_hash: str) -> dict[str, Any]:
        return {key: value for key, value in self._block(block_hash).items() if key != "tx"}

    def _transaction(self, txid: str, verbose: bool = False) -> dict[str, Any]:
        if txid not in self.mempool:
            raise RpcFailure(
                -5,
                "No such mempool transaction. Use -txindex or provide a block hash to enable "
                "blockchain transaction queries. Use gettransaction for wallet transactions.",
            )
        return self.mempool[txid]


@pytest.fixture
def node() -> FakeNode:
    return FakeNode()


@pytest.fixture
def rpc(node: FakeNode) -> BitcoindApp:
    return BitcoindApp(node.methods(), user="bitcache", password="s3cret-pw")


@pytest.fixture
def server(rpc: BitcoindApp) -> Iterator[LocalServer]:
    with LocalServer(rpc) as running:
        yield running


def bitcoind(server: LocalServer, *, credentials: str = "bitcache:s3cret-pw@", **options: Any):
    host = server.url.removeprefix("http://")
    options.setdefault("network", "mainnet")
    fast = RetryPolicy(attempts=3, base_delay=0.01, max_delay=0.02)
    return BitcoindChain(f"http://{credentials}{host}", retry=fast, **options)


def calls(rpc: BitcoindApp, server: LocalServer) -> list[str]:
    return rpc.calls(server.requests)


def test_it_reads_the_tip(rpc: BitcoindApp, server: LocalServer) -> None:
    tip = bitcoind(server).tip()

    assert (tip.height, tip.hash, tip.prev_hash) == (1, BLOCK_1, GENESIS_HASH)
    assert calls(rpc, server) == ["getnetworkinfo", "getblockchaininfo", "getblockheader"]
    assert len(server.requests) == 2  # the version check rides with getblockchaininfo


def test_it_refuses_a_node_on_another_network(node: FakeNode, server: LocalServer) -> None:
    node.chain = "test"

    with pytest.raises(ChainSourceError, match="chain 'test', not BITCACHE_NETWORK=mainnet"):
        bitcoind(server).tip()


def test_testnet_means_testnet3_or_testnet4(node: FakeNode, server: LocalServer) -> None:
    node.chain = "testnet4"

    assert bitcoind(server, network="testnet").tip().height == 1


def test_a_whole_block_is_one_call_with_exact_satoshis(
    rpc: BitcoindApp, server: LocalServer
) -> None:
    block = bitcoind(server).block(BLOCK_1)

    assert calls(rpc, server) == ["getblock"]
    assert len(server.requests) == 1
    assert (block.height, block.hash, block.header.prev_hash) == (1, BLOCK_1, GENESIS_HASH)
    assert block.transactions == (
        Transaction(TX_1, (TxOutput(0, 1, P2WPKH), TxOutput(1, 0, None))),
        Transaction("ab" * 32, (TxOutput(0, 2_099_999_997_690_000, P2TR),)),
    )


def test_the_genesis_block_has_no_previous_block(server: LocalServer) -> None:
    block = bitcoind(server).block(GENESIS_HASH)

    assert (block.height, block.header.prev_hash) == (0, "0" * 64)
    assert block.transactions[0].outputs[0].value_sats == 5_000_000_000


def test_it_finds_block_hashes_by_height(server: LocalServer) -> None:
    assert bitcoind(server).block_hash(1) == BLOCK_1


def test_a_height_above_the_tip_is_not_found(server: LocalServer) -> None:
    with pytest.raises(NotFound):
        bitcoind(server).block_hash(2)


def test_an_unknown_block_is_not_found(server: LocalServer) -> None:
    with pytest.raises(NotFound):
        bitcoind(server).block("cc" * 32)


def test_an_unknown_transaction_is_none(server: LocalServer) -> None:
    assert bitcoind(server).transaction("cc" * 32) is None


def test_it_reads_a_mempool_transaction(node: FakeNode, server: LocalServer) -> None:
    node.mempool["cc" * 32] = core_tx("cc" * 32, [(P2WPKH, Decimal("0.5"))])

    assert bitcoind(server).transaction("cc" * 32) == Transaction(
        "cc" * 32, (TxOutput(0, 50_000_000, P2WPKH),)
    )


def test_it_lists_the_mempool(node: FakeNode, server: LocalServer) -> None:
    node.mempool = {txid: core_tx(txid, []) for txid in ("cc" * 32, "dd" * 32)}

    assert bitcoind(server).mempool_txids() == {"cc" * 32, "dd" * 32}


def test_mempool_polls_fetch_only_new_transactions_in_one_batch(
    node: FakeNode, rpc: BitcoindApp, server: LocalServer
) -> None:
    paying, other = "cc" * 32, "dd" * 32
    node.mempool[paying] = core_tx(paying, [(P2WPKH, Decimal("0.001"))])
    node.mempool[other] = core_tx(other, [(P2SH, Decimal("1"))])
    source = bitcoind(server, mempool_batch_size=10)

    first = source.mempool_transactions([P2WPKH])
    node.mempool["ee" * 32] = core_tx("ee" * 32, [(P2TR, Decimal("0.002"))])
    server.requests.clear()
    second = source.mempool_transactions([P2WPKH, P2TR])

    assert [tx.txid for tx in first] == [paying]
    assert sorted(tx.txid for tx in second) == [paying, "ee" * 32]
    assert calls(rpc, server) == ["getrawmempool", "getrawtransaction"]  # only the new one
    assert len(server.requests) == 2


def test_a_poll_given_the_mempool_txids_does_not_ask_for_them_again(
    node: FakeNode, rpc: BitcoindApp, server: LocalServer
) -> None:
    node.mempool["cc" * 32] = core_tx("cc" * 32, [(P2WPKH, Decimal("0.001"))])
    source = bitcoind(server)
    txids = source.mempool_txids()
    server.requests.clear()

    found = source.mempool_transactions([P2WPKH], mempool_txids=txids)

    assert [tx.txid for tx in found] == ["cc" * 32]
    assert calls(rpc, server) == ["getrawtransaction"]


def test_the_mempool_is_fetched_in_batches(node: FakeNode, server: LocalServer) -> None:
    node.mempool = {f"{n:064x}": core_tx(f"{n:064x}", [(P2WPKH, Decimal(1))]) for n in range(5)}

    found = bitcoind(server, mempool_batch_size=2).mempool_transactions([P2WPKH])

    assert len(found) == 5
    assert len(server.requests) == 1 + 3  # getrawmempool, then batches of 2, 2 and 1


def test_a_transaction_that_left_the_mempool_is_forgotten(
    node: FakeNode, server: LocalServer
) -> None:
    node.mempool["cc" * 32] = core_tx("cc" * 32, [(P2WPKH, Decimal("0.001"))])
    source = bitcoind(server)
    assert len(source.mempool_transactions([P2WPKH])) == 1

    del node.mempool["cc" * 32]

    assert source.mempool_transactions([P2WPKH]) == []


def test_a_transaction_gone_before_it_is_fetched_is_skipped(
    node: FakeNode, rpc: BitcoindApp, server: LocalServer
) -> None:
    node.mempool["cc" * 32] = core_tx("cc" * 32, [(P2WPKH, Decimal("0.001"))])
    rpc.methods["getrawmempool"] = lambda: ["cc" * 32, "dd" * 32]  # dd leaves meanwhile

    assert [tx.txid for tx in bitcoind(server).mempool_transactions([P2WPKH])] == ["cc" * 32]


def test_an_rpc_error_is_reported_with_its_message_and_not_retried(
    rpc: BitcoindApp, server: LocalServer
) -> None:
    def warming_up() -> None:
        raise RpcFailure(-28, "Loading block index…")

    rpc.methods["getblockchaininfo"] = warming_up

    with pytest.raises(ChainSourceError, match=r"getblockchaininfo failed: Loading block index"):
        bitcoind(server).tip()
    assert len(server.requests) == 1


def test_a_full_work_queue_is_retried(server: LocalServer) -> None:
    server.fail_next(Reply(503, b"Work queue depth exceeded", "text/plain"))

    assert bitcoind(server).block_hash(0) == GENESIS_HASH
    assert len(server.requests) == 2


def test_wrong_credentials_are_named_without_the_password(server: LocalServer) -> None:
    with pytest.raises(ChainSourceError, match="rejected the credentials") as failure:
        bitcoind(server, credentials="bitcache:wrong-pw@").tip()

    assert "wrong-pw" not in str(failure.value)
    assert "bitcache:" not in str(failure.value)


def test_it_authenticates_with_the_cookie_file(
    rpc: BitcoindApp, server: LocalServer, tmp_path: Path
) -> None:
    cookie = tmp_path / ".cookie"
    cookie.write_text("__cookie__:first-secret")
    rpc.credentials = ("__cookie__", "first-secret")
    source = bitcoind(server, credentials="", cookie_file=str(cookie))
    assert source.block_hash(0) == GENESIS_HASH

    # bitcoind restarted: a new cookie, read on the next request.
    cookie.write_text("__cookie__:second-secret")
    rpc.credentials = ("__cookie__", "second-secret")

    assert source.block_hash(1) == BLOCK_1


def test_an_unreadable_cookie_file_is_named(server: LocalServer, tmp_path: Path) -> None:
    missing = tmp_path / "no-such-cookie"

    with pytest.raises(ChainSourceError, match=r"cannot read the cookie file .*no-such-cookie"):
        bitcoind(server, credentials="", cookie_file=str(missing)).tip()


def test_a_node_older_than_0_15_is_refused_by_name(node: FakeNode, server: LocalServer) -> None:
    node.version = 140200

    with pytest.raises(ChainSourceError, match=r"Bitcoin Core 0\.14\.2; Bitcache needs 0\.15\.0"):
        bitcoind(server).tip()


@pytest.mark.parametrize("version", [150000, CORE_0_21, 220000, CORE_27])
def test_core_0_15_and_newer_are_read(node: FakeNode, server: LocalServer, version: int) -> None:
    node.version = version

    assert bitcoind(server).tip().hash == BLOCK_1


def old_core_node() -> FakeNode:
    """Core 0.21: outputs name their address in an `addresses` list, never `address`."""
    node = FakeNode()
    node.version = CORE_0_21
    node.blocks[1]["tx"] = [
        core_tx(TX_1, [(P2WPKH, Decimal("0.00005")), (None, Decimal(0))], core_version=CORE_0_21),
        core_tx("ab" * 32, [(P2PKH, Decimal(1)), (P2TR, Decimal(2))], core_version=CORE_0_21),
    ]
    return node


def test_outputs_of_core_0_21_have_their_addresses() -> None:
    node = old_core_node()
    with LocalServer(BitcoindApp(node.methods(), user="bitcache", password="s3cret-pw")) as server:
        block = bitcoind(server).block(BLOCK_1)

    assert "address" not in node.blocks[1]["tx"][0]["vout"][0]["scriptPubKey"]
    assert block.transactions == (
        Transaction(TX_1, (TxOutput(0, 5000, P2WPKH), TxOutput(1, 0, None))),
        Transaction("ab" * 32, (TxOutput(0, 100_000_000, P2PKH), TxOutput(1, 200_000_000, P2TR))),
    )


def test_the_address_comes_from_the_script_not_from_what_core_calls_it(
    node: FakeNode, server: LocalServer
) -> None:
    script = node.blocks[1]["tx"][0]["vout"][0]["scriptPubKey"]
    script["address"] = P2TR  # a node (or proxy) naming another address than the script pays

    assert bitcoind(server).block(BLOCK_1).transactions[0].outputs[0].address == P2WPKH


@pytest.fixture
def watched_node(settings, db) -> Iterator[FakeNode]:
    """A node the watcher reads through BITCACHE_CHAIN_SOURCE=bitcoind, from block 0."""
    node = old_core_node()
    with LocalServer(BitcoindApp(node.methods(), user="bitcache", password="s3cret-pw")) as server:
        host = server.url.removeprefix("http://")
        settings.BITCACHE_CHAIN_SOURCE = "bitcoind"
        settings.BITCACHE_BITCOIND_URL = f"http://bitcache:s3cret-pw@{host}"
        settings.BITCACHE_BITCOIND_COOKIE_FILE = ""
        yield node


def test_a_tip_paid_in_a_block_from_core_0_21_is_credited(watched_node: FakeNode) -> None:
    creator = CreatorFactory.create(status="active", min_tip_sats=1000)
    tip = tip_create(creator=creator, amount_sats=5000, now=timezone.now())
    watched_node.blocks[1]["tx"][0] = core_tx(
        TX_1, [(address_of(tip), Decimal("0.00005"))], core_version=CORE_0_21
    )

    assert watch_chain() is not None

    tip.refresh_from_db()
    assert tip.received_sats == 5000
    assert Payment.objects.get().txid == TX_1


def test_an_unsupported_node_is_an_outage_and_nothing_is_marked_scanned(
    watched_node: FakeNode,
) -> None:
    watched_node.version = 140200

    assert watch_chain() is None

    state = ChainState.load()
    assert "Bitcache needs 0.15.0 or newer" in state.last_error
    assert state.consecutive_failures == 1
    assert state.height is None
    assert not ScannedBlock.objects.exists()


@pytest.mark.parametrize(
    "garbage",
    [
        Reply(200, b"<html>proxy error</html>", "text/html"),
        Reply(500, b"<html>proxy error</html>", "text/html"),
        Reply(200, b'{"result": null, "error": null, "id": 99}'),
        Reply(200, b'[{"result": 1, "error": null, "id": 0}]'),
        Reply(200, b'{"result": 1e999, "error": null, "id": 0}'),
        Reply(200, b'{"result": NaN, "error": null, "id": 0}'),
    ],
)
def test_garbage_answers_are_chain_source_errors(server: LocalServer, garbage: Reply) -> None:
    server.fail_next(garbage)

    with pytest.raises(ChainSourceError, match=r"bitcoind at 127\.0\.0\.1"):
        bitcoind(server).block_hash(0)


@pytest.mark.parametrize(
    "damage",
    [
        lambda block: block.update(hash="cc" * 32),
        lambda block: block.update(height=-1),
        lambda block: block.update(tx="all"),
        lambda block: block["tx"][0]["vout"][0].update(value="0.00000001"),
        lambda block: block["tx"][0]["vout"][0].update(value=Decimal("0.000000001")),
        lambda block: block["tx"][0]["vout"][0].update(value=Decimal("-1")),
        lambda block: block["tx"][0]["vout"][0].update(n=5),
        lambda block: block["tx"][0]["vout"][0]["scriptPubKey"].update(hex="not hex"),
        lambda block: block["tx"][0]["vout"][0]["scriptPubKey"].update(hex=["00"]),
        lambda block: block["tx"][0]["vout"][0]["scriptPubKey"].pop("hex"),
        lambda block: block["tx"][0].update(txid="not a txid"),
    ],
)
def test_a_block_of_the_wrong_shape_is_a_chain_source_error(
    rpc: BitcoindApp, server: LocalServer, damage: Any
) -> None:
    getblock = rpc.methods["getblock"]

    def damaged_getblock(*params: Any) -> dict[str, Any]:
        block = getblock(*params)
        damage(block)
        return block

    rpc.methods["getblock"] = damaged_getblock

    with pytest.raises(ChainSourceError, match="unexpected answer to getblock"):
        bitcoind(server).block(BLOCK_1)


@given(st.integers(min_value=0, max_value=21_000_000 * 100_000_000))
def test_every_amount_core_prints_converts_to_the_exact_satoshis(sats: int) -> None:
    printed = Decimal(f"{sats // 100_000_000}.{sats % 100_000_000:08d}")  # Core's format

    assert btc_to_sats(printed) == sats
    assert btc_to_sats(sats_to_btc(sats)) == sats


@pytest.mark.parametrize(
    "amount",
    [
        Decimal("0.000000001"),
        Decimal("-0.00000001"),
        MAX_MONEY_BTC + Decimal("0.00000001"),
        Decimal("NaN"),
        Decimal("Infinity"),
        Decimal("1E+999999"),
        Decimal("0." + "0" * 200 + "1"),
        0.1,
        "0.1",
        True,
        None,
    ],
)
def test_amounts_that_are_not_whole_satoshis_are_refused(amount: object) -> None:
    with pytest.raises(ValueError):
        btc_to_sats(amount)


def test_the_largest_amount_is_all_bitcoin() -> None:
    assert btc_to_sats(MAX_MONEY_BTC) == 2_100_000_000_000_000
    assert btc_to_sats(Decimal("20999999.9769")) == 2_099_999_997_690_000


def test_from_settings_needs_a_url(settings) -> None:
    settings.BITCACHE_BITCOIND_URL = ""

    with pytest.raises(ImproperlyConfigured, match="BITCACHE_BITCOIND_URL"):
        BitcoindChain.from_settings()


def test_from_settings_needs_credentials_or_a_cookie_file(settings) -> None:
    settings.BITCACHE_BITCOIND_URL = "http://127.0.0.1:8332"
    settings.BITCACHE_BITCOIND_COOKIE_FILE = ""

    with pytest.raises(ImproperlyConfigured, match="cookie file"):
        BitcoindChain.from_settings()


def test_from_settings_keeps_one_instance_so_the_mempool_memory_lasts(settings) -> None:
    settings.BITCACHE_BITCOIND_URL = "http://u:p@127.0.0.1:8332"

    assert BitcoindChain.from_settings() is BitcoindChain.from_settings()


def core_mempool_cost(node: FakeNode, server: LocalServer, rpc: BitcoindApp, open_tips: int):
    """RPC calls of two watcher mempool runs (the second after 3 arrivals) with
    `open_tips` open tips, one of them paid in the mempool; and that tip."""
    creator = CreatorFactory.create(status="active", min_tip_sats=1000)
    tips = [
        tip_create(creator=creator, amount_sats=5000, now=timezone.now()) for _ in range(open_tips)
    ]
    node.mempool = {f"{n:064x}": core_tx(f"{n:064x}", [(P2SH, Decimal("1"))]) for n in range(30)}
    node.mempool["ee" * 32] = core_tx("ee" * 32, [(address_of(tips[0]), Decimal("0.00005"))])
    source = bitcoind(server, mempool_batch_size=500)
    server.requests.clear()

    scan_mempool(source, now=timezone.now(), report=ScanReport())
    for n in range(30, 33):
        node.mempool[f"{n:064x}"] = core_tx(f"{n:064x}", [(P2SH, Decimal("1"))])
    scan_mempool(source, now=timezone.now(), report=ScanReport())

    tips[0].refresh_from_db()
    return calls(rpc, server), len(server.requests), tips[0]


@pytest.mark.parametrize("open_tips", [1, 15])
def test_cores_mempool_cost_does_not_grow_with_open_tips(
    node: FakeNode, server: LocalServer, rpc: BitcoindApp, db, open_tips: int
) -> None:
    rpc_calls, requests, paid = core_mempool_cost(node, server, rpc, open_tips)

    assert paid.received_sats == 5000
    # Each run: getrawmempool, then only the transactions it has not fetched before.
    assert rpc_calls.count("getrawmempool") == 2
    assert rpc_calls.count("getrawtransaction") == 31 + 3
    assert requests == 4
