"""The one interface every chain source implements.

The watcher (payments.onchain.watcher) only ever talks to a `ChainSource`. Adapters for
Esplora, Bitcoin Core and the simulated chain live beside this module. Amounts
are integer satoshis; addresses are strings as the network encodes them.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Iterable

from btc.blocks import Block, BlockHeader, Transaction, TxOutput


class ChainSourceError(Exception):
    """The source could not answer (unreachable, timeout, garbage). Safe to retry."""


class NotFound(ChainSourceError):
    """The source answered that the thing asked for does not exist."""


class ChainSource(ABC):
    """Read-only view of one bitcoin network."""

    name: str = "chain source"

    @abstractmethod
    def tip(self) -> BlockHeader:
        """Header of the best block."""

    @abstractmethod
    def block_hash(self, height: int) -> str:
        """Hash of the block at `height` on the best chain (NotFound above the tip)."""

    @abstractmethod
    def block(self, block_hash: str) -> Block:
        """The whole block with every transaction, in as few requests as the source allows."""

    @abstractmethod
    def mempool_txids(self) -> set[str] | None:
        """Every txid in the mempool, or None when the source has no cheap way to list them."""

    @abstractmethod
    def transaction(self, txid: str) -> Transaction | None:
        """A transaction known to the source (mempool or chain), or None if it is unknown."""

    @abstractmethod
    def mempool_transactions(
        self, addresses: Iterable[str], *, mempool_txids: set[str] | None = None
    ) -> list[Transaction]:
        """Unconfirmed transactions paying any of `addresses`.

        `mempool_txids`, when the caller has just fetched it, spares the source
        asking for the mempool's txids again.
        """

    def mempool_transactions_matching(
        self, watched: Callable[[set[str]], set[str]], *, mempool_txids: set[str] | None = None
    ) -> list[Transaction]:
        """Unconfirmed transactions paying an address `watched` picks out of those given.

        For sources that list the mempool (`mempool_txids()` is not None): the caller
        answers "which of these addresses are watched" with one indexed query, so the
        cost follows the mempool's arrivals, never the number of watched addresses.
        """
        raise NotImplementedError(f"{self.name} cannot list its mempool")


__all__ = [
    "Block",
    "BlockHeader",
    "ChainSource",
    "ChainSourceError",
    "NotFound",
    "Transaction",
    "TxOutput",
]
