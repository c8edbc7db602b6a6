"""Blocks and transactions as the watcher needs them: outputs with their value and address.

Amounts are integer satoshis; addresses are strings as the network encodes them.
"""

from __future__ import annotations

from dataclasses import dataclass


class MalformedData(ValueError):
    """Serialized bitcoin data that cannot be what it claims to be (cut short, corrupted)."""


@dataclass(frozen=True, slots=True)
class TxOutput:
    index: int
    value_sats: int
    address: str | None  # None for scripts that have no address (OP_RETURN, bare multisig)


@dataclass(frozen=True, slots=True)
class Transaction:
    txid: str
    outputs: tuple[TxOutput, ...]


@dataclass(frozen=True, slots=True)
class BlockHeader:
    height: int
    hash: str
    prev_hash: str


@dataclass(frozen=True, slots=True)
class Block:
    header: BlockHeader
    transactions: tuple[Transaction, ...]

    @property
    def height(self) -> int:
        return self.header.height

    @property
    def hash(self) -> str:
        return self.header.hash
