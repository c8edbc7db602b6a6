"""Steps the random-history tests share (test_random_histories, test_last_used_index)."""

from __future__ import annotations

from chain.simulated import SimulatedChain


def reorg(chain: SimulatedChain, depth: int, sent: list[str], *, double_spend: bool) -> None:
    """Reorganise the top `depth` blocks; with `double_spend`, the last payment mined in
    them never comes back (the new chain carries a conflicting transaction instead)."""
    top = chain.tip().height
    reorganised = {
        tx.txid
        for height in range(top - depth + 1, top + 1)
        for tx in chain.block(chain.block_hash(height)).transactions
    }
    dropped = [txid for txid in sent if txid in reorganised][-1:]
    chain.reorg(depth, drop_txids=dropped if double_spend else ())
