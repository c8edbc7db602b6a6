"""Bitcoin Core's JSON-RPC: the chain source for operators running their own node.

`getblock <hash> 2` returns every transaction of a block decoded in one call. Each
output's address is read from its script (`scriptPubKey.hex`) by our own parser, the
one used for raw blocks: Core's own address field changed shape across versions
(`addresses`, a list, until 0.21; `address` since 22.0), and a field we do not read
must not turn into a block scanned with no payments.

For the mempool, `getrawmempool` gives the txid set, so each poll only fetches the
transactions it has not seen before, in batches, and remembers the few that pay a
watched address until they leave.

Amounts arrive as BTC in JSON numbers; they are parsed as Decimal and converted to
satoshis exactly, never through a float.
"""

from __future__ import annotations

import functools
import threading
from collections.abc import Callable, Iterable
from decimal import Context, Decimal, Inexact, InvalidOperation, Rounded
from pathlib import Path
from typing import Any, TypeVar

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from btc.money import SATS_PER_BTC
from btc.networks import Network, get_network
from btc.rawblock import MAX_MONEY_SATS, NO_PREVIOUS_BLOCK, script_address

from .base import Block, BlockHeader, ChainSource, NotFound, Transaction, TxOutput
from .http import (
    ANSWER_ERRORS,
    Endpoint,
    HttpClient,
    JsonRpcClient,
    MiB,
    RetryPolicy,
    RpcError,
    Timeouts,
    basic_auth,
    require_hash,
    require_int,
)

T = TypeVar("T")
# Core's error codes (src/rpc/protocol.h) that mean "no such thing".
RPC_INVALID_ADDRESS_OR_KEY = -5  # unknown block or transaction
RPC_INVALID_PARAMETER = -8  # block height out of range
# The oldest Core we read: 0.15.0 added `getblock <hash> 2` (whole transactions in
# one call), which scanning relies on; older nodes answer it with txids only.
# getnetworkinfo's "version" spells 0.15.0 as 150000 and 27.1 as 270100.
MIN_CORE_VERSION = 150000
# getblockchaininfo's "chain" for each BITCACHE_NETWORK.
CORE_CHAINS = {
    "mainnet": {"main"},
    "testnet": {"test", "testnet4"},
    "signet": {"signet"},
    "regtest": {"regtest"},
}
# A decoded 4 MB block is several times larger than the block itself.
_MAX_ANSWER_BYTES = 128 * MiB
# Exact arithmetic: rounding anything is an error, not a result.
_EXACT = Context(prec=60, traps=[Inexact, Rounded, InvalidOperation])


class BitcoindChain(ChainSource):
    name = "bitcoind"

    def __init__(
        self,
        url: str,
        *,
        network: str,
        cookie_file: str | None = None,
        timeout_seconds: float = 10,
        retry: RetryPolicy | None = None,
        mempool_batch_size: int = 500,
    ) -> None:
        """`url` is Core's RPC address, with `user:password@` unless `cookie_file` is given."""
        self.network = get_network(network)
        endpoint = Endpoint.parse(url)
        if cookie_file is None and endpoint.username is None:
            raise ValueError("give the RPC user and password in the URL, or a cookie file")
        self.http = HttpClient(
            endpoint,
            label="bitcoind",
            timeouts=Timeouts.from_seconds(timeout_seconds),
            retry=retry,
            max_response_bytes=_MAX_ANSWER_BYTES,
        )
        self.rpc = JsonRpcClient(self.http, authorization=self._cookie_authorization)
        self._cookie_file = Path(cookie_file) if cookie_file else None
        self._mempool_batch_size = mempool_batch_size
        self._mempool_lock = threading.Lock()
        # Mempool txids already fetched, and those of them that paid a watched address.
        self._mempool_seen: set[str] = set()
        self._mempool_paying: dict[str, Transaction] = {}

    @classmethod
    def from_settings(cls) -> BitcoindChain:
        """The process's shared instance, so its mempool memory lasts from poll to poll."""
        if not settings.BITCACHE_BITCOIND_URL:
            raise ImproperlyConfigured("Set BITCACHE_BITCOIND_URL for the bitcoind chain source.")
        return _shared_instance(
            settings.BITCACHE_BITCOIND_URL,
            settings.BITCACHE_BITCOIND_COOKIE_FILE or None,
            settings.BITCACHE_NETWORK,
            settings.BITCACHE_CHAIN_TIMEOUT_SECONDS,
        )

    def tip(self) -> BlockHeader:
        """The best block, once the node is known to be a version we read, on our network.

        Checked on every call (the watcher starts each run here), in the same request
        as getblockchaininfo: a node swapped for an older one is refused before any
        block it serves is marked scanned.
        """
        network_info, info = self.rpc.batch([("getnetworkinfo", []), ("getblockchaininfo", [])])
        for reply in (network_info, info):
            if isinstance(reply, RpcError):
                raise reply
        version = self._read("getnetworkinfo", _version, network_info)
        if version < MIN_CORE_VERSION:
            raise self.http.error(
                f"the node is Bitcoin Core {_version_name(version)}; "
                f"Bitcache needs {_version_name(MIN_CORE_VERSION)} or newer"
            )
        chain, best = self._read("getblockchaininfo", _chain_and_best, info)
        if chain not in CORE_CHAINS[self.network.name]:
            raise self.http.error(
                f"the node is on chain {chain[:20]!r}, not BITCACHE_NETWORK={self.network.name}"
            )
        header = self.rpc.call("getblockheader", best, True)
        return self._read("getblockheader", _header, header, best)

    def block_hash(self, height: int) -> str:
        require_int(height, "height")
        try:
            block_hash = self.rpc.call("getblockhash", height)
        except RpcError as exc:
            if exc.code == RPC_INVALID_PARAMETER:
                raise NotFound(f"bitcoind has no block at height {height}") from None
            raise
        return self._read("getblockhash", require_hash, block_hash)

    def block(self, block_hash: str) -> Block:
        require_hash(block_hash, "block hash")
        try:
            block = self.rpc.call("getblock", block_hash, 2)
        except RpcError as exc:
            if exc.code == RPC_INVALID_ADDRESS_OR_KEY:
                raise NotFound(f"bitcoind has no block {block_hash}") from None
            raise
        return self._read("getblock", _block, block, block_hash, self.network)

    def mempool_txids(self) -> set[str]:
        return self._read("getrawmempool", _txid_set, self.rpc.call("getrawmempool"))

    def transaction(self, txid: str) -> Transaction | None:
        """Without -txindex, Core only finds transactions still in its mempool."""
        require_hash(txid, "txid")
        try:
            transaction = self.rpc.call("getrawtransaction", txid, True)
        except RpcError as exc:
            if exc.code == RPC_INVALID_ADDRESS_OR_KEY:
                return None
            raise
        return self._read("getrawtransaction", _transaction, transaction, self.network, txid)

    def mempool_transactions(
        self, addresses: Iterable[str], *, mempool_txids: set[str] | None = None
    ) -> list[Transaction]:
        """Mempool transactions paying `addresses`, fetching only txids not seen before.

        Whether a transaction pays a watched address is judged once, with the
        addresses of the call that first fetched it. A payment to an address first
        watched after its transaction was fetched is found when it is mined.
        """
        wanted = set(addresses)
        found = self.mempool_transactions_matching(
            lambda given: given & wanted, mempool_txids=mempool_txids
        )
        return [tx for tx in found if _pays_any(tx, wanted)]

    def mempool_transactions_matching(
        self, watched: Callable[[set[str]], set[str]], *, mempool_txids: set[str] | None = None
    ) -> list[Transaction]:
        """getrawmempool's delta: only txids not fetched before cost a request, in batches,
        so the cost follows the mempool's arrivals, not the number of watched addresses."""
        with self._mempool_lock:
            mempool = self.mempool_txids() if mempool_txids is None else mempool_txids
            self._mempool_seen &= mempool
            self._mempool_paying = {
                txid: tx for txid, tx in self._mempool_paying.items() if txid in mempool
            }
            unseen = sorted(mempool - self._mempool_seen)
            for start in range(0, len(unseen), self._mempool_batch_size):
                self._fetch_mempool_batch(unseen[start : start + self._mempool_batch_size], watched)
            return list(self._mempool_paying.values())

    def _fetch_mempool_batch(
        self, txids: list[str], watched: Callable[[set[str]], set[str]]
    ) -> None:
        replies = self.rpc.batch([("getrawtransaction", [txid, True]) for txid in txids])
        fetched = []
        for txid, reply in zip(txids, replies, strict=True):
            if isinstance(reply, RpcError):
                if reply.code == RPC_INVALID_ADDRESS_OR_KEY:
                    continue  # left the mempool since getrawmempool
                raise reply
            fetched.append(self._read("getrawtransaction", _transaction, reply, self.network, txid))
        hits = watched({o.address for tx in fetched for o in tx.outputs if o.address})
        for transaction in fetched:
            self._mempool_seen.add(transaction.txid)
            if _pays_any(transaction, hits):
                self._mempool_paying[transaction.txid] = transaction

    def _cookie_authorization(self) -> str | None:
        """Read for every request: Core writes a new cookie each time it starts."""
        if self._cookie_file is None:
            return None
        try:
            cookie = self._cookie_file.read_text(encoding="utf-8").strip()
        except (OSError, UnicodeDecodeError) as exc:
            reason = exc.strerror if isinstance(exc, OSError) else "not text"
            raise self.http.error(
                f"cannot read the cookie file {self._cookie_file}: {reason}"
            ) from None
        username, colon, password = cookie.partition(":")
        if not colon:
            raise self.http.error(f"the cookie file {self._cookie_file} is not user:password")
        return basic_auth(username, password)

    def _read(self, method: str, parse: Callable[..., T], *args: Any) -> T:
        """`parse(*args)` over an RPC result; a result of the wrong shape is a ChainSourceError."""
        try:
            return parse(*args)
        except ANSWER_ERRORS as exc:
            raise self.http.error(f"unexpected answer to {method}: {exc}") from None


@functools.lru_cache(maxsize=4)
def _shared_instance(
    url: str, cookie_file: str | None, network: str, timeout_seconds: int
) -> BitcoindChain:
    try:
        return BitcoindChain(
            url, network=network, cookie_file=cookie_file, timeout_seconds=timeout_seconds
        )
    except ValueError as exc:
        raise ImproperlyConfigured(f"BITCACHE_BITCOIND_URL: {exc}") from None


def btc_to_sats(value: object) -> int:
    """Core's BTC amount (a JSON number read as Decimal) as integer satoshis, exactly.

    Anything that is not a whole number of satoshis between 0 and 21 million BTC
    is refused rather than rounded.
    """
    if isinstance(value, bool) or not isinstance(value, int | Decimal):
        raise ValueError(f"amount is not a number: {str(value)[:40]!r}")
    btc = Decimal(value)
    if not btc.is_finite() or not 0 <= btc <= MAX_MONEY_SATS // SATS_PER_BTC:
        raise ValueError(f"amount out of range: {str(value)[:40]!r}")
    try:
        sats = _EXACT.multiply(btc, SATS_PER_BTC)
    except ArithmeticError:
        raise ValueError(f"amount has too many digits: {str(value)[:40]!r}") from None
    numerator, denominator = sats.as_integer_ratio()
    if denominator != 1:
        raise ValueError(f"amount is not a whole number of satoshis: {value}")
    return numerator


def _chain_and_best(info: dict[str, Any]) -> tuple[str, str]:
    chain = info["chain"]
    if not isinstance(chain, str):
        raise ValueError("chain is not a string")
    return chain, require_hash(info["bestblockhash"], "bestblockhash")


def _version(network_info: dict[str, Any]) -> int:
    return require_int(network_info["version"], "version")


def _version_name(version: int) -> str:
    """Core's integer version as Core names it: 210100 is 0.21.1, 270100 is 27.1.

    Core dropped the leading "0." after 0.21, so the same digits mean both.
    """
    first, second, third = version // 10000, version // 100 % 100, version % 100
    if first < 22:
        return f"0.{first}.{second}"
    return f"{first}.{second}" + (f".{third}" if third else "")


def _txid_set(txids: list[Any]) -> set[str]:
    if not isinstance(txids, list):
        raise ValueError("not a list of txids")
    return {require_hash(txid, "txid") for txid in txids}


def _pays_any(transaction: Transaction, addresses: set[str]) -> bool:
    return any(output.address in addresses for output in transaction.outputs)


def _header(header: dict[str, Any], block_hash: str) -> BlockHeader:
    if require_hash(header["hash"], "hash") != block_hash:
        raise ValueError(f"asked for block {block_hash}, got {header['hash']}")
    height = require_int(header["height"], "height")
    previous = header.get("previousblockhash")
    if previous is None and height == 0:
        previous = NO_PREVIOUS_BLOCK
    return BlockHeader(
        height=height, hash=block_hash, prev_hash=require_hash(previous, "previousblockhash")
    )


def _block(block: dict[str, Any], block_hash: str, network: Network) -> Block:
    transactions = block["tx"]
    if not isinstance(transactions, list):
        raise ValueError("tx is not a list")
    return Block(
        header=_header(block, block_hash),
        transactions=tuple(_transaction(transaction, network) for transaction in transactions),
    )


def _transaction(
    transaction: dict[str, Any], network: Network, txid: str | None = None
) -> Transaction:
    """A decoded transaction (getrawtransaction verbose, or an entry of getblock 2)."""
    found = require_hash(transaction["txid"], "txid")
    if txid is not None and found != txid:
        raise ValueError(f"asked for transaction {txid}, got {found}")
    vout = transaction["vout"]
    if not isinstance(vout, list):
        raise ValueError("vout is not a list")
    outputs = []
    for index, output in enumerate(vout):
        if require_int(output["n"], "n") != index:
            raise ValueError(f"output {index} is numbered {output['n']}")
        script_hex = output["scriptPubKey"]["hex"]
        if not isinstance(script_hex, str):
            raise ValueError(f"output {index} has a malformed script")
        address = script_address(bytes.fromhex(script_hex), network)
        outputs.append(TxOutput(index, btc_to_sats(output["value"]), address))
    return Transaction(txid=found, outputs=tuple(outputs))
