"""A scripted chain in the database: blocks, mempool, reorgs and RBF without bitcoin.

It answers the watcher exactly like a real source, so tests and offline trials
(`make run`, `simulate_payment`, `simulate_chain`) exercise the real watcher. The
state lives in the database so the web process, the worker and a management
command all see the same chain; every change runs in a transaction that first
locks the genesis block row, so two processes never mine on the same tip.
Addresses are not validated: any string is an address here.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Callable, Iterable, Sequence

from django.db import transaction as db_transaction
from django.db.models import Q, QuerySet

from btc.rawblock import MAX_MONEY_SATS, NO_PREVIOUS_BLOCK
from chain.models import SimulatedBlock, SimulatedTransaction

from .base import Block, BlockHeader, ChainSource, NotFound, Transaction, TxOutput

# Fixed, so that two processes creating the chain at once collide on the unique hash.
GENESIS_HASH = hashlib.sha256(b"bitcache simulated chain genesis").hexdigest()
# Transactions a node would still know: waiting in the mempool or mined on the best chain.
_KNOWN = Q(in_mempool=True) | Q(block__on_best_chain=True)


class SimulatedChain(ChainSource):
    name = "simulated"

    @classmethod
    def from_settings(cls) -> SimulatedChain:
        return cls()

    # --- Reading, as the watcher does ----------------------------------------

    def tip(self) -> BlockHeader:
        """The best block; a chain that does not exist yet starts with its genesis block."""
        best = _best_chain().order_by("-height").first() or self.ensure_genesis()
        return _header(best)

    def block_hash(self, height: int) -> str:
        block_hash = _best_chain().filter(height=height).values_list("block_hash", flat=True)
        if not block_hash:
            raise NotFound(f"the simulated chain has no block at height {height}")
        return block_hash[0]

    def block(self, block_hash: str) -> Block:
        """Any block, also one reorganised away (whose transactions went to the new branch)."""
        found = SimulatedBlock.objects.filter(block_hash=block_hash).first()
        if found is None:
            raise NotFound(f"the simulated chain has no block {block_hash}")
        transactions = found.transactions.order_by("position", "pk")
        return Block(header=_header(found), transactions=tuple(map(_transaction, transactions)))

    def mempool_txids(self) -> set[str]:
        return set(_mempool().values_list("txid", flat=True))

    def transaction(self, txid: str) -> Transaction | None:
        """In the mempool or a best-chain block; replaced or dropped ones are unknown, like Core."""
        found = SimulatedTransaction.objects.filter(_KNOWN, txid=txid).first()
        return _transaction(found) if found else None

    def mempool_transactions(
        self, addresses: Iterable[str], *, mempool_txids: set[str] | None = None
    ) -> list[Transaction]:
        wanted = set(addresses)
        return self.mempool_transactions_matching(lambda given: given & wanted)

    def mempool_transactions_matching(
        self, watched: Callable[[set[str]], set[str]], *, mempool_txids: set[str] | None = None
    ) -> list[Transaction]:
        transactions = list(map(_transaction, _mempool().order_by("pk")))
        hits = watched({o.address for tx in transactions for o in tx.outputs if o.address})
        return [tx for tx in transactions if any(o.address in hits for o in tx.outputs)]

    # --- Scripting, as tests and the simulate_* commands do ------------------

    def ensure_genesis(self) -> SimulatedBlock:
        genesis, _ = SimulatedBlock.objects.get_or_create(
            block_hash=GENESIS_HASH, defaults={"height": 0, "prev_hash": NO_PREVIOUS_BLOCK}
        )
        return genesis

    def send(self, outputs: Sequence[tuple[str, int]]) -> str:
        """Put a new transaction paying `outputs` [(address, sats)] into the mempool."""
        return SimulatedTransaction.objects.create(
            txid=_new_txid(), outputs=_outputs_json(outputs)
        ).txid

    def mine(self, count: int = 1, *, include_mempool: bool = True) -> list[str]:
        """Mine `count` blocks on the tip, the first with every mempool transaction."""
        if count < 1:
            raise ValueError("mine at least one block")
        with db_transaction.atomic():
            tip = self._lock_tip()
            pending = list(_mempool().order_by("pk")) if include_mempool else []
            hashes = []
            for _ in range(count):
                tip = _mine_block(tip, pending)
                pending = []
                hashes.append(tip.block_hash)
        return hashes

    def confirm(self, txid: str) -> str:
        """Mine one block with just this mempool transaction in it."""
        with db_transaction.atomic():
            tip = self._lock_tip()
            return _mine_block(tip, [_in_mempool(txid)]).block_hash

    def replace(self, txid: str, outputs: Sequence[tuple[str, int]]) -> str:
        """RBF: a new transaction paying `outputs` takes the place of `txid` in the mempool."""
        with db_transaction.atomic():
            self._lock_tip()
            old = _in_mempool(txid)
            new = SimulatedTransaction.objects.create(
                txid=_new_txid(), outputs=_outputs_json(outputs)
            )
            old.in_mempool = False
            old.replaced_by = new.txid
            old.save(update_fields=["in_mempool", "replaced_by"])
        return new.txid

    def drop(self, txid: str) -> None:
        """The transaction leaves the mempool unmined, as when it expires or is evicted."""
        with db_transaction.atomic():
            self._lock_tip()
            dropped = _in_mempool(txid)
            dropped.in_mempool = False
            dropped.save(update_fields=["in_mempool"])

    def reorg(
        self, depth: int, new_blocks: int | None = None, drop_txids: Iterable[str] = ()
    ) -> list[str]:
        """Replace the top `depth` blocks by `new_blocks` (default depth + 1) new ones.

        The first new block takes back the old blocks' transactions, except
        `drop_txids`, which are forgotten (as if double-spent). With new_blocks=0
        the chain gets shorter and those transactions wait in the mempool.
        Returns the new blocks' hashes.
        """
        new_blocks = depth + 1 if new_blocks is None else new_blocks
        drop = set(drop_txids)
        with db_transaction.atomic():
            tip = self._lock_tip()
            if not 1 <= depth <= tip.height:
                raise ValueError(f"depth must be between 1 and {tip.height} (genesis stays)")
            if new_blocks < 0:
                raise ValueError("new_blocks cannot be negative")
            fork_height = tip.height - depth
            disconnected = _best_chain().filter(height__gt=fork_height)
            moved = list(
                SimulatedTransaction.objects.filter(block__in=disconnected).order_by(
                    "block__height", "position"
                )
            )
            unknown = drop - {tx.txid for tx in moved}
            if unknown:
                raise ValueError(f"not in the reorganised blocks: {', '.join(sorted(unknown))}")
            disconnected.update(on_best_chain=False)
            for tx in moved:
                tx.block = None
                tx.in_mempool = tx.txid not in drop
            SimulatedTransaction.objects.bulk_update(moved, ["block", "in_mempool"])
            parent = _best_chain().get(height=fork_height)
            pending = [tx for tx in moved if tx.in_mempool]
            hashes = []
            for _ in range(new_blocks):
                parent = _mine_block(parent, pending)
                pending = []
                hashes.append(parent.block_hash)
        return hashes

    def _lock_tip(self) -> SimulatedBlock:
        """Take the chain's lock (the genesis row) and return the current best block.

        The tip itself cannot be the lock: a process waiting on it would wake up to
        a row that is no longer the tip.
        """
        self.ensure_genesis()
        SimulatedBlock.objects.select_for_update().get(block_hash=GENESIS_HASH)
        return _best_chain().latest("height")


def _best_chain() -> QuerySet[SimulatedBlock]:
    return SimulatedBlock.objects.filter(on_best_chain=True)


def _mempool() -> QuerySet[SimulatedTransaction]:
    return SimulatedTransaction.objects.filter(in_mempool=True)


def _in_mempool(txid: str) -> SimulatedTransaction:
    found = _mempool().filter(txid=txid).first()
    if found is None:
        raise ValueError(f"transaction {txid} is not in the simulated mempool")
    return found


def _mine_block(parent: SimulatedBlock, transactions: list[SimulatedTransaction]) -> SimulatedBlock:
    block = SimulatedBlock.objects.create(
        height=parent.height + 1, block_hash=_new_block_hash(), prev_hash=parent.block_hash
    )
    for position, tx in enumerate(transactions):
        tx.block = block
        tx.in_mempool = False
        tx.position = position
    SimulatedTransaction.objects.bulk_update(transactions, ["block", "in_mempool", "position"])
    return block


def _new_txid() -> str:
    return secrets.token_hex(32)


def _new_block_hash() -> str:
    # Leading zeros like a real block hash, so block hashes and txids are told apart at a glance.
    return "00000000" + secrets.token_hex(28)


def _outputs_json(outputs: Sequence[tuple[str, int]]) -> list[dict[str, object]]:
    checked = []
    for address, value in outputs:
        if not isinstance(address, str) or not 0 < len(address) <= 90:
            raise ValueError(f"not an address: {address!r}")
        if isinstance(value, bool) or not isinstance(value, int) or not 0 < value <= MAX_MONEY_SATS:
            raise ValueError(f"an output pays a whole number of sats above 0, not {value!r}")
        checked.append({"address": address, "value": value})
    return checked


def _header(block: SimulatedBlock) -> BlockHeader:
    return BlockHeader(height=block.height, hash=block.block_hash, prev_hash=block.prev_hash)


def _transaction(tx: SimulatedTransaction) -> Transaction:
    return Transaction(
        txid=tx.txid,
        outputs=tuple(
            TxOutput(index=index, value_sats=output["value"], address=output["address"])
            for index, output in enumerate(tx.outputs)
        ),
    )
