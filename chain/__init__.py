"""Chain sources: where the watcher learns about blocks and the mempool."""

from __future__ import annotations

from django.conf import settings
from django.utils.module_loading import import_string

from .base import (
    Block,
    BlockHeader,
    ChainSource,
    ChainSourceError,
    NotFound,
    Transaction,
    TxOutput,
)

__all__ = [
    "Block",
    "BlockHeader",
    "ChainSource",
    "ChainSourceError",
    "NotFound",
    "Transaction",
    "TxOutput",
    "get_chain_source",
]

_SOURCES = {
    "simulated": "chain.simulated.SimulatedChain",
    "esplora": "chain.esplora.EsploraChain",
    "bitcoind": "chain.bitcoind.BitcoindChain",
}


def get_chain_source() -> ChainSource:
    """The chain source this site is configured for (BITCACHE_CHAIN_SOURCE)."""
    return import_string(_SOURCES[settings.BITCACHE_CHAIN_SOURCE]).from_settings()
