"""Esplora's REST API: Blockstream's esplora, electrs, mempool.space and their kin.

A block costs two requests whatever its size: its header as JSON (for the height,
which the binary form does not carry) and the whole block as binary, read by
rawblock.py. Paging `/block/:hash/txs` instead would take 25 transactions a request.

Esplora cannot list the mempool cheaply, so `mempool_txids()` is None and the
mempool is asked about one address at a time (`/address/:a/txs/mempool`, at most
50 transactions each), by a few connections at once (`mempool_concurrency`, each with
the same timeouts and retries); the watcher spaces those polls out as tips age.
"""

from __future__ import annotations

import functools
import queue
from collections.abc import Callable, Iterable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any, TypeVar
from urllib.parse import quote

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from btc.blocks import MalformedData
from btc.networks import get_network
from btc.rawblock import MAX_MONEY_SATS, NO_PREVIOUS_BLOCK, parse_block

from .base import (
    Block,
    BlockHeader,
    ChainSource,
    NotFound,
    Transaction,
    TxOutput,
)
from .http import (
    ANSWER_ERRORS,
    Endpoint,
    HttpClient,
    MiB,
    RetryPolicy,
    Timeouts,
    decode_json,
    require_hash,
    require_int,
)

T = TypeVar("T")
# Each network's genesis block hash, to recognise a server on the wrong network.
GENESIS_HASHES = {
    "mainnet": {"000000000019d6689c085ae165831e934ff763ae46a2a6c172b3f1b60a8ce26f"},
    "testnet": {
        "000000000933ea01ad0ee984209779baaec3ced90fa3f408719526f8d77f4943",  # testnet3
        "00000000da84f2bafbbc53dee25a72ae507ff4914b867c565be350b0da8bf043",  # testnet4
    },
    # Every signet, the default one and custom ones, starts from this block.
    "signet": {"00000008819873e925422c1ff0f99f7cc9bbb232af63a077a480a3633bee1ef6"},
    "regtest": {"0f9188f13cb7b2c71f2a335e150f4c57e38d0b7e5ecfbc9de07d7ab5fa3a53a7"},
}
# The largest block allowed is 4 MB; the cap leaves room and stops a runaway answer.
_MAX_ANSWER_BYTES = 16 * MiB


class EsploraChain(ChainSource):
    name = "esplora"

    def __init__(
        self,
        base_url: str,
        *,
        network: str,
        timeout_seconds: float = 10,
        retry: RetryPolicy | None = None,
        mempool_concurrency: int = 4,
    ) -> None:
        """`base_url` is the API root, e.g. https://mempool.space/api or http://127.0.0.1:3002.

        `mempool_concurrency`: how many per-address mempool requests are in flight at
        once, each on its own kept-alive connection.
        """
        if mempool_concurrency < 1:
            raise ValueError("mempool_concurrency must be at least 1")
        self.network = get_network(network)
        endpoint = Endpoint.parse(base_url)

        def client() -> HttpClient:
            return HttpClient(
                endpoint,
                label="esplora",
                timeouts=Timeouts.from_seconds(timeout_seconds),
                retry=retry,
                max_response_bytes=_MAX_ANSWER_BYTES,
            )

        self.http = client()
        self.mempool_concurrency = mempool_concurrency
        # One client (one connection) per concurrent mempool request, reused run to run.
        self._mempool_clients: queue.SimpleQueue[HttpClient] = queue.SimpleQueue()
        for _ in range(mempool_concurrency):
            self._mempool_clients.put(client())
        self._network_checked = False

    @classmethod
    def from_settings(cls) -> EsploraChain:
        """The process's shared instance: its connection and network check are reused."""
        if not settings.BITCACHE_ESPLORA_URL:
            raise ImproperlyConfigured("Set BITCACHE_ESPLORA_URL for the esplora chain source.")
        return _shared_instance(
            settings.BITCACHE_ESPLORA_URL,
            settings.BITCACHE_NETWORK,
            settings.BITCACHE_CHAIN_TIMEOUT_SECONDS,
            settings.BITCACHE_ESPLORA_MEMPOOL_CONCURRENCY,
        )

    def tip(self) -> BlockHeader:
        if not self._network_checked:
            self._check_network()
        block_hash = self._get("/blocks/tip/hash", _text_hash)
        return self._header(block_hash)

    def block_hash(self, height: int) -> str:
        require_int(height, "height")
        block_hash = self._get_or_none(f"/block-height/{height}", _text_hash)
        if block_hash is None:
            raise NotFound(f"esplora has no block at height {height}")
        return block_hash

    def block(self, block_hash: str) -> Block:
        header = self._header(block_hash)
        path = f"/block/{block_hash}/raw"
        raw = self._get_or_none(path, bytes)
        if raw is None:
            raise NotFound(f"esplora has no block {block_hash}")
        try:
            block = parse_block(raw, height=header.height, network=self.network)
        except MalformedData as exc:
            raise self.http.error(f"unexpected answer to GET {path}: {exc}") from None
        if block.header != header:
            raise self.http.error(
                f"the raw block does not match block {block_hash} (got {block.hash}, "
                f"previous {block.header.prev_hash})"
            )
        return block

    def mempool_txids(self) -> set[str] | None:
        return None

    def transaction(self, txid: str) -> Transaction | None:
        require_hash(txid, "txid")
        transaction = self._get_or_none(f"/tx/{txid}", _transaction)
        if transaction is not None and transaction.txid != txid:
            raise self.http.error(f"asked for transaction {txid}, got {transaction.txid}")
        return transaction

    def mempool_transactions(
        self, addresses: Iterable[str], *, mempool_txids: set[str] | None = None
    ) -> list[Transaction]:
        """One request per address (Esplora has no cheaper way to watch the mempool), at
        most `mempool_concurrency` at once. The first failure (after its retries) is
        raised once the requests under way have ended; those not started are dropped."""
        ordered = sorted(set(addresses))
        found: dict[str, Transaction] = {}
        workers = min(self.mempool_concurrency, len(ordered))
        if workers <= 1:
            answers = [self._address_mempool(address) for address in ordered]
        else:
            with ThreadPoolExecutor(workers, thread_name_prefix="esplora-mempool") as pool:
                futures = [pool.submit(self._address_mempool, a) for a in ordered]
                try:
                    answers = [future.result() for future in futures]
                finally:
                    _cancel(futures)
        for transactions in answers:
            for transaction in transactions:
                found.setdefault(transaction.txid, transaction)
        return list(found.values())

    def _address_mempool(self, address: str) -> list[Transaction]:
        path = f"/address/{quote(address, safe='')}/txs/mempool"
        client = self._mempool_clients.get()
        try:
            return self._parse(path, _transaction_list, client.request("GET", path).body)
        finally:
            self._mempool_clients.put(client)

    def _header(self, block_hash: str) -> BlockHeader:
        require_hash(block_hash, "block hash")
        header = self._get_or_none(f"/block/{block_hash}", _header)
        if header is None:
            raise NotFound(f"esplora has no block {block_hash}")
        if header.hash != block_hash:
            raise self.http.error(f"asked for block {block_hash}, got {header.hash}")
        return header

    def _check_network(self) -> None:
        """Refuse a server on another network: its addresses would never match ours."""
        genesis = self._get("/block-height/0", _text_hash)
        if genesis not in GENESIS_HASHES[self.network.name]:
            raise self.http.error(
                f"serves a different network than BITCACHE_NETWORK={self.network.name} "
                f"(genesis block {genesis})"
            )
        self._network_checked = True

    def _get(self, path: str, parse: Callable[[bytes], T]) -> T:
        return self._parse(path, parse, self.http.request("GET", path).body)

    def _get_or_none(self, path: str, parse: Callable[[bytes], T]) -> T | None:
        """Like _get, but None when the server answers 404 (it has no such thing)."""
        response = self.http.request("GET", path, accept=(200, 404))
        return None if response.status == 404 else self._parse(path, parse, response.body)

    def _parse(self, path: str, parse: Callable[[bytes], T], body: bytes) -> T:
        try:
            return parse(body)
        except ANSWER_ERRORS as exc:
            raise self.http.error(f"unexpected answer to GET {path}: {exc}") from None


def _cancel(futures: list[Future[list[Transaction]]]) -> None:
    for future in futures:
        future.cancel()


@functools.lru_cache(maxsize=4)
def _shared_instance(
    url: str, network: str, timeout_seconds: int, mempool_concurrency: int
) -> EsploraChain:
    try:
        return EsploraChain(
            url,
            network=network,
            timeout_seconds=timeout_seconds,
            mempool_concurrency=mempool_concurrency,
        )
    except ValueError as exc:
        raise ImproperlyConfigured(f"BITCACHE_ESPLORA_URL: {exc}") from None


def _text_hash(body: bytes) -> str:
    return require_hash(body.decode("ascii").strip())


def _header(body: bytes) -> BlockHeader:
    block = decode_json(body)
    height = require_int(block["height"], "height")
    previous = block.get("previousblockhash")
    if previous is None and height == 0:
        previous = NO_PREVIOUS_BLOCK
    return BlockHeader(
        height=height,
        hash=require_hash(block["id"], "block id"),
        prev_hash=require_hash(previous, "previousblockhash"),
    )


def _transaction(body: bytes) -> Transaction:
    return _transaction_from_json(decode_json(body))


def _transaction_list(body: bytes) -> list[Transaction]:
    transactions = decode_json(body)
    if not isinstance(transactions, list):
        raise ValueError("expected a list of transactions")
    return [_transaction_from_json(transaction) for transaction in transactions]


def _transaction_from_json(transaction: dict[str, Any]) -> Transaction:
    vout = transaction["vout"]
    if not isinstance(vout, list):
        raise ValueError("vout is not a list")
    outputs = []
    for index, output in enumerate(vout):
        address = output.get("scriptpubkey_address")
        if address is not None and not isinstance(address, str):
            raise ValueError(f"output {index} has a malformed address")
        value = require_int(output["value"], f"output {index} value")
        if value > MAX_MONEY_SATS:
            raise ValueError(f"output {index} value {value} is more than all bitcoin")
        outputs.append(TxOutput(index=index, value_sats=value, address=address))
    return Transaction(txid=require_hash(transaction["txid"], "txid"), outputs=tuple(outputs))
