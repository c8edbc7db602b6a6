"""The chain watcher: finds every payment to a watched address, once.

Blocks are scanned once each, in order, from the last processed height; all of a
block's outputs are matched against watched addresses with one indexed query, so
the cost per block grows with the block, not with the number of addresses. Each
block is committed in its own transaction together with the new scan height: a
worker killed mid-block leaves nothing half-done, and the next run resumes there.

A changed hash at a scanned height means a reorg: payments above the fork point
go back to "reorged" and the new branch is scanned. The mempool is looked at after
the blocks; a mempool payment whose transaction vanished was replaced or dropped.
"""

from __future__ import annotations

import fcntl
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Exists, OuterRef

from chain import Block, ChainSource, ChainSourceError, NotFound
from chain.models import ChainState, ScannedBlock
from payments.models import Address, Payment, PaymentState, Tip, TipStatus
from payments.services import (
    Observed,
    payment_observe,
    payments_mark_replaced,
    payments_revert_above,
    tips_refresh,
)
from payments.status_cache import scanned_height_forget

log = logging.getLogger(__name__)

# On first start, look this many blocks back so a tip paid just before the
# watcher's first run is not missed.
INITIAL_RESCAN_BLOCKS = 6
# Scanned blocks remembered to find a fork point; deeper reorgs rescan from the oldest.
KEEP_SCANNED_BLOCKS = 1000
# One IN (...) query per chunk of a block's output addresses.
MATCH_CHUNK = 5000
MAX_REORGS_PER_RUN = 5
_LOCK_KEY = 0x6269_7463_6163  # "bitcac": the PostgreSQL advisory lock id of the scanner


@contextmanager
def scanner_lock() -> Iterator[bool]:
    """Whether this process may scan now. At most one scanner runs across all workers.

    PostgreSQL: a session advisory lock (freed by the server if the worker dies).
    SQLite (one machine, development): an exclusive lock on a file.
    """
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_try_advisory_lock(%s)", [_LOCK_KEY])
            acquired = cursor.fetchone()[0]
        try:
            yield acquired
        finally:
            if acquired:
                with connection.cursor() as cursor:
                    cursor.execute("SELECT pg_advisory_unlock(%s)", [_LOCK_KEY])
        return
    with open(settings.BITCACHE_SCANNER_LOCK_FILE, "w") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            yield False
            return
        try:
            yield True
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


@dataclass
class ScanReport:
    blocks_scanned: int = 0
    reorgs: int = 0
    payments_seen: int = 0
    replaced: int = 0
    tips_touched: set[int] = field(default_factory=set)


# --- Blocks -----------------------------------------------------------------


def match_block(block: Block) -> dict[str, Address]:
    """Watched addresses paid by `block`, found through the address index.

    On PostgreSQL the block's addresses go as one array parameter and the planner
    is told to use the index: with millions of watched addresses it would otherwise
    pick a sequential scan, whose cost grows with the table instead of the block.
    """
    paid = sorted({out.address for tx in block.transactions for out in tx.outputs if out.address})
    if not paid:
        return {}
    if connection.vendor == "postgresql":
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SET LOCAL enable_seqscan = off")
            found = list(
                Address.objects.raw(
                    "SELECT * FROM payments_address WHERE address = ANY(%s)", [paid]
                )
            )
            cursor.execute("SET LOCAL enable_seqscan = on")
        return {a.address: a for a in found}
    watched: dict[str, Address] = {}
    for start in range(0, len(paid), MATCH_CHUNK):
        chunk = paid[start : start + MATCH_CHUNK]
        watched.update((a.address, a) for a in Address.objects.filter(address__in=chunk))
    return watched


def scan_block(block: Block, *, now: datetime, report: ScanReport) -> None:
    """Record every payment in `block` and advance the scan height, atomically."""
    with transaction.atomic():
        watched = match_block(block)
        touched: set[int] = set()
        for tx in block.transactions:
            for out in tx.outputs:
                address = watched.get(out.address) if out.address else None
                if address is None:
                    continue
                payment = payment_observe(
                    Observed(address, tx.txid, out.index, out.value_sats, block.header), now=now
                )
                if payment is not None:
                    touched.add(payment.tip_id)
                    report.payments_seen += 1
        ScannedBlock.objects.update_or_create(
            height=block.height,
            defaults={"block_hash": block.hash, "prev_hash": block.header.prev_hash},
        )
        ScannedBlock.objects.filter(height__lte=block.height - KEEP_SCANNED_BLOCKS).delete()
        ChainState.objects.filter(pk=1).update(height=block.height, block_hash=block.hash)
        scanned_height_forget()
        tips_refresh(touched, now=now)
    report.blocks_scanned += 1
    report.tips_touched |= touched


def find_fork_height(source: ChainSource, scanned_height: int) -> int:
    """Highest scanned height whose block is still on the source's best chain."""
    for scanned in ScannedBlock.objects.filter(height__lte=scanned_height).order_by("-height"):
        try:
            if source.block_hash(scanned.height) == scanned.block_hash:
                return scanned.height
        except NotFound:
            continue  # the new best chain is shorter than this height
    oldest = ScannedBlock.objects.order_by("height").first()
    return (oldest.height if oldest else scanned_height) - 1


def roll_back_to_fork(
    source: ChainSource, scanned_height: int, *, now: datetime, report: ScanReport
) -> ChainState:
    fork = find_fork_height(source, scanned_height)
    log.warning("reorg: scanned chain diverged above height %s; rolling back", fork)
    with transaction.atomic():
        touched = payments_revert_above(fork)
        ScannedBlock.objects.filter(height__gt=fork).delete()
        fork_block = ScannedBlock.objects.filter(height=fork).first()
        fork_hash = fork_block.block_hash if fork_block else source.block_hash(fork)
        ChainState.objects.filter(pk=1).update(height=fork, block_hash=fork_hash)
        scanned_height_forget()
        # Not announced yet: most of these payments come back in the new blocks. The
        # end of the run announces where each tip really ended up (tips_announce).
        tips_refresh(touched, now=now, announce=False)
    report.reorgs += 1
    report.tips_touched |= touched
    return ChainState.load()


def scan_blocks(
    source: ChainSource, *, now: datetime, report: ScanReport, max_blocks: int = 100
) -> None:
    """Scan new blocks up to the source's tip (at most `max_blocks` per call)."""
    state = ChainState.load()
    tip = source.tip()
    ChainState.objects.filter(pk=1).update(tip_height=tip.height)
    if state.height is None:
        start = max(tip.height - INITIAL_RESCAN_BLOCKS, 0)
        ChainState.objects.filter(pk=1).update(
            height=start - 1, block_hash=source.block_hash(start - 1) if start else ""
        )
        scanned_height_forget()
        state = ChainState.load()
    elif state.height >= 0 and source_hash_or_none(source, state.height) != state.block_hash:
        state = roll_back_to_fork(source, state.height, now=now, report=report)

    # (The height is never None here: the first run set it just above.)
    while (
        state.height is not None
        and state.height < tip.height
        and report.blocks_scanned < max_blocks
    ):
        block = source.block(source.block_hash(state.height + 1))
        if state.height >= 0 and block.header.prev_hash != state.block_hash:
            if report.reorgs >= MAX_REORGS_PER_RUN:
                # A source whose answers contradict each other (e.g. two backends behind
                # a load balancer mid-reorg): give up this run rather than spin.
                raise ChainSourceError("the chain source keeps changing its best chain")
            state = roll_back_to_fork(source, state.height, now=now, report=report)
            continue
        scan_block(block, now=now, report=report)
        state = ChainState.load()

    # Payments already in blocks gain depth with every new block.
    confirming = Tip.objects.filter(
        status=TipStatus.IN_MEMPOOL,
        pk__in=Payment.objects.filter(state=PaymentState.CONFIRMED).values("tip_id"),
    )
    tips_refresh(set(confirming.values_list("pk", flat=True)), now=now)


def source_hash_or_none(source: ChainSource, height: int) -> str | None:
    try:
        return source.block_hash(height)
    except NotFound:
        return None


# --- Mempool ----------------------------------------------------------------


def mempool_poll_interval(tip_created_at: datetime, now: datetime) -> timedelta:
    """How often to ask about an address when each address costs a request (Esplora).

    Fast while the viewer is likely on the payment screen, slower as the tip ages.
    """
    age = now - tip_created_at
    if age < timedelta(minutes=15):
        return timedelta(0)
    if age < timedelta(minutes=settings.BITCACHE_TIP_EXPIRY_MINUTES):
        return timedelta(minutes=1)
    return timedelta(minutes=10)


def watched_for_mempool(*, now: datetime, every_address: bool) -> list[Address]:
    """Addresses to ask the mempool about: reserved for a tip, or with a payment pending."""
    pending = Payment.objects.filter(address=OuterRef("pk"), state=PaymentState.MEMPOOL)
    candidates = Address.objects.filter(reserved_until__gt=now) | Address.objects.filter(
        Exists(pending)
    )
    candidates = candidates.distinct()
    if every_address:
        return list(candidates)
    latest_tip = Tip.objects.filter(address=OuterRef("pk")).order_by("-created_at")
    due: list[Address] = []
    for address in candidates.annotate(
        tip_created_at=latest_tip.values("created_at")[:1], has_pending=Exists(pending)
    ):
        interval = (
            timedelta(0)
            if address.has_pending
            else mempool_poll_interval(address.tip_created_at, now)
        )
        if address.mempool_polled_at is None or now - address.mempool_polled_at >= interval:
            due.append(address)
    return due


def scan_mempool(source: ChainSource, *, now: datetime, report: ScanReport) -> None:
    """Record mempool payments to watched addresses, then mark vanished ones replaced.

    Requests to the chain source happen outside database transactions, so no row
    stays locked while a slow source answers (tip creation waits on those rows).
    """
    mempool_txids = source.mempool_txids()
    addresses = watched_for_mempool(now=now, every_address=mempool_txids is not None)
    by_address = {a.address: a for a in addresses}
    found = (
        source.mempool_transactions(by_address, mempool_txids=mempool_txids) if by_address else []
    )
    seen_txids = {tx.txid for tx in found}
    touched: set[int] = set()
    with transaction.atomic():
        for tx in found:
            for out in tx.outputs:
                address = by_address.get(out.address) if out.address else None
                if address is not None:
                    payment = payment_observe(
                        Observed(address, tx.txid, out.index, out.value_sats, None), now=now
                    )
                    if payment is not None:
                        touched.add(payment.tip_id)
                        report.payments_seen += 1
        Address.objects.filter(pk__in=[a.pk for a in addresses]).update(mempool_polled_at=now)
        tips_refresh(touched, now=now)
    report.tips_touched |= touched

    vanished = vanished_payments(source, mempool_txids, seen_txids, polled=set(by_address))
    with transaction.atomic():
        replaced_tips = payments_mark_replaced(vanished)
        tips_refresh(replaced_tips, now=now)
    report.replaced += len(vanished)
    report.tips_touched |= replaced_tips


def vanished_payments(
    source: ChainSource, mempool_txids: set[str] | None, seen_txids: set[str], *, polled: set[str]
) -> list[Payment]:
    """Mempool payments whose transaction is no longer in the mempool nor known to the source."""
    # A block mined since scan_blocks may hold "vanished" transactions: judge them on
    # the next run, after that block is scanned.
    if source.tip().hash != ChainState.load().block_hash:
        return []
    vanished = []
    for payment in Payment.objects.filter(state=PaymentState.MEMPOOL).select_related("address"):
        if payment.txid in seen_txids:
            continue
        if mempool_txids is not None:
            if payment.txid in mempool_txids:
                continue
        elif payment.address.address not in polled:
            continue  # not asked about this round
        # Not in the mempool and not in any scanned block: replaced or dropped, unless
        # the source still knows it (mined in a block we will scan next).
        if source.transaction(payment.txid) is None:
            vanished.append(payment)
    return vanished
