"""The chain watcher: finds every payment to a watched address, once.

Blocks are scanned once each, in order, from the last processed height; all of a
block's outputs are matched against watched addresses with one indexed query, so
the cost per block grows with the block, not with the number of addresses. Each
block is committed in its own transaction together with the new scan height: a
worker killed mid-block leaves nothing half-done, and the next run resumes there.

A changed hash at a scanned height means a reorg: payments above the fork point
go back to "reorged" and the new branch is scanned.

The mempool is looked at apart from the blocks (its own task, queue and lock), so a
slow source's mempool never delays scanning and crediting. Only the addresses due
(`Address.mempool_check_at`, set by `mempool_check_interval`) are asked about, in
batches; a mempool payment whose transaction vanished was replaced or dropped.
Recording is idempotent (payments are unique by txid:vout, tips recomputed from
their payments), so the two may record the same output in any order.
"""

from __future__ import annotations

import fcntl
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Exists, OuterRef, Subquery

from chain import Block, ChainSource, ChainSourceError, NotFound, Transaction
from chain.models import ChainState, ScannedBlock
from payments.models import Address, Payment, PaymentState, Tip, TipStatus
from payments.onchain.gaps import GapChanges
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
_MEMPOOL_LOCK_KEY = 0x6D65_6D70_6F6F  # "mempoo": that of the mempool watcher


@contextmanager
def scanner_lock() -> Iterator[bool]:
    """Whether this process may scan blocks now. At most one block scanner runs across
    all workers."""
    with _exclusive(_LOCK_KEY, settings.BITCACHE_SCANNER_LOCK_FILE) as acquired:
        yield acquired


@contextmanager
def mempool_lock() -> Iterator[bool]:
    """Whether this process may poll the mempool now: one at a time (recording twice would
    be harmless, asking the source twice is not), independent of the block scanner."""
    lock_file = settings.BITCACHE_SCANNER_LOCK_FILE
    with _exclusive(_MEMPOOL_LOCK_KEY, lock_file.with_name(f"{lock_file.stem}-mempool.lock")) as ok:
        yield ok


@contextmanager
def _exclusive(key: int, lock_file: Path) -> Iterator[bool]:
    """PostgreSQL: a session advisory lock (freed by the server if the worker dies).
    SQLite (one machine, development): an exclusive lock on a file.
    """
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_try_advisory_lock(%s)", [key])
            acquired = cursor.fetchone()[0]
        try:
            yield acquired
        finally:
            if acquired:
                with connection.cursor() as cursor:
                    cursor.execute("SELECT pg_advisory_unlock(%s)", [key])
        return
    with open(lock_file, "w") as handle:
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
        gaps = GapChanges()
        for tx in block.transactions:
            for out in tx.outputs:
                address = watched.get(out.address) if out.address else None
                if address is None:
                    continue
                payment = payment_observe(
                    Observed(address, tx.txid, out.index, out.value_sats, block.header),
                    now=now,
                    gaps=gaps,
                )
                if payment is not None:
                    touched.add(payment.tip_id)
                    report.payments_seen += 1
        # After the payments' and addresses' rows, before the chain state's and the tips'
        # (the lock order of payments.onchain.gaps; a reorg's rollback takes them so too).
        gaps.write()
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

# Addresses looked up per batch (one query to select them, one request each on Esplora).
MEMPOOL_BATCH = 500
# A run stops after this many batches; the rest stay due for the next run.
MEMPOOL_MAX_BATCHES_PER_RUN = 20
# The payment screen counts as open while it asked for the tip's status this recently
# (it records at most every payments.services.WATCH_RECORD_EVERY, 30 s).
SCREEN_OPEN_WITHIN = timedelta(seconds=75)


def mempool_check_interval(*, age: timedelta, watched: bool, pending: bool) -> timedelta:
    """How long until the mempool is next asked about a tip's address (a request each on
    Esplora), from the tip's age, whether its payment screen is open and whether a payment
    to it is waiting in the mempool.

    Fast while the viewer is likely paying, slower as the tip ages. A tip watched for its
    whole payment window costs 12 + 13 + 9 = 34 look-ups in its first hour and about 55 over
    a 168 h monitoring window: under one per minute of its payment window, the budget
    (tests/payments/test_mempool_watching.py).
    """
    expiry = timedelta(minutes=settings.BITCACHE_TIP_EXPIRY_MINUTES)
    if pending:
        return timedelta(minutes=5)  # a replacement (RBF) shows within minutes
    if watched and age < timedelta(minutes=2):
        return timedelta(seconds=10)
    if watched and age < timedelta(minutes=15):
        return timedelta(minutes=1)
    if age < timedelta(minutes=15):
        return timedelta(minutes=2)
    if age < expiry:
        return timedelta(minutes=5 if watched else 10)
    # Past its payment window: a late payment still shows here first, else in its block.
    if age < expiry + timedelta(hours=6):
        return timedelta(hours=1)
    return timedelta(hours=12)


def screen_open(*, created_at: datetime, watched_at: datetime | None, now: datetime) -> bool:
    """The tip's payment screen is open (just made tips count: the browser opens it at once)."""
    if watched_at is None:
        return now - created_at < timedelta(seconds=settings.BITCACHE_TIP_UNSEEN_SECONDS)
    return now - watched_at < SCREEN_OPEN_WITHIN


def due_for_mempool(*, now: datetime, limit: int = MEMPOOL_BATCH) -> list[Address]:
    """The next batch of addresses due for a mempool look-up, earliest first.

    One indexed query (the partial index on mempool_check_at): addresses not due are
    never loaded. Each comes with its latest tip's times and whether a payment waits.
    """
    latest_tip = Tip.objects.filter(address=OuterRef("pk")).order_by("-created_at")
    pending = Payment.objects.filter(address=OuterRef("pk"), state=PaymentState.MEMPOOL)
    return list(
        Address.objects.filter(mempool_check_at__lte=now)
        .order_by("mempool_check_at")
        .annotate(
            tip_created_at=Subquery(latest_tip.values("created_at")[:1]),
            tip_watched_at=Subquery(latest_tip.values("watched_at")[:1]),
            has_pending=Exists(pending),
        )[:limit]
    )


def mempool_reschedule(addresses: list[Address], *, now: datetime) -> None:
    """Set each address's next look-up from the schedule; none once it is no longer watched
    (reservation over and no payment pending). One UPDATE per distinct next time."""
    pending = set(
        Payment.objects.filter(
            address__in=[a.pk for a in addresses], state=PaymentState.MEMPOOL
        ).values_list("address_id", flat=True)
    )
    by_next: dict[datetime | None, list[int]] = {}
    for address in addresses:
        is_pending = address.pk in pending
        next_at: datetime | None
        if address.reserved_until <= now and not is_pending:
            next_at = None
        else:
            created_at = getattr(address, "tip_created_at", None) or address.created_at
            watched = screen_open(
                created_at=created_at, watched_at=getattr(address, "tip_watched_at", None), now=now
            )
            next_at = now + mempool_check_interval(
                age=now - created_at, watched=watched, pending=is_pending
            )
        by_next.setdefault(next_at, []).append(address.pk)
    for next_at, ids in by_next.items():
        Address.objects.filter(pk__in=ids).update(mempool_check_at=next_at, mempool_polled_at=now)


def watched_addresses(candidates: set[str]) -> set[str]:
    """Which of `candidates` are watched in the mempool: indexed look-ups of those only."""
    ordered = sorted(candidates)
    watched: set[str] = set()
    for start in range(0, len(ordered), MATCH_CHUNK):
        watched.update(
            Address.objects.filter(
                address__in=ordered[start : start + MATCH_CHUNK], mempool_check_at__isnull=False
            ).values_list("address", flat=True)
        )
    return watched


def scan_mempool(source: ChainSource, *, now: datetime, report: ScanReport) -> None:
    """Record mempool payments to watched addresses, then mark vanished ones replaced.

    A source that lists its mempool (Core) is asked for its arrivals once per run,
    matched against the watched addresses in SQL: the cost follows the mempool, not
    the open tips. Esplora is asked about the addresses due only, batch by batch.
    Requests to the chain source happen outside database transactions, so no row
    stays locked while a slow source answers (tip creation waits on those rows).
    """
    mempool_txids = source.mempool_txids()
    found: list[Transaction] = []
    polled: set[str] = set()
    if mempool_txids is not None:
        found = source.mempool_transactions_matching(watched_addresses, mempool_txids=mempool_txids)
        # Keep the schedule (who is still watched) without asking the source anything.
        for _ in range(MEMPOOL_MAX_BATCHES_PER_RUN):
            due = due_for_mempool(now=now)
            mempool_reschedule(due, now=now)
            if len(due) < MEMPOOL_BATCH:
                break
        _record_mempool(found, now=now, report=report)
    else:
        for _ in range(MEMPOOL_MAX_BATCHES_PER_RUN):
            due = due_for_mempool(now=now)
            if not due:
                break
            batch_found = source.mempool_transactions([a.address for a in due])
            polled |= {a.address for a in due}
            found += batch_found
            _record_mempool(batch_found, now=now, report=report)
            mempool_reschedule(due, now=now)
            if len(due) < MEMPOOL_BATCH:
                break

    seen_txids = {tx.txid for tx in found}
    vanished = vanished_payments(source, mempool_txids, seen_txids, polled=polled)
    with transaction.atomic():
        replaced_tips = payments_mark_replaced(vanished)
        tips_refresh(replaced_tips, now=now)
    report.replaced += len(vanished)
    report.tips_touched |= replaced_tips


def _record_mempool(found: list[Transaction], *, now: datetime, report: ScanReport) -> None:
    """Record the outputs of `found` paying watched addresses, in one transaction."""
    paid = {o.address for tx in found for o in tx.outputs if o.address}
    if not paid:
        return
    by_address = {a.address: a for a in Address.objects.filter(address__in=sorted(paid))}
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
        tips_refresh(touched, now=now)
    report.tips_touched |= touched


def vanished_payments(
    source: ChainSource, mempool_txids: set[str] | None, seen_txids: set[str], *, polled: set[str]
) -> list[Payment]:
    """Mempool payments whose transaction is no longer in the mempool nor known to the source."""
    pending = Payment.objects.filter(state=PaymentState.MEMPOOL)
    if mempool_txids is None:
        # Judged for the addresses asked about this round only.
        pending = pending.filter(address__address__in=sorted(polled))
    missing = [
        payment
        for payment in pending
        if payment.txid not in seen_txids
        and (mempool_txids is None or payment.txid not in mempool_txids)
    ]
    # A block mined since the last block scan may hold "vanished" transactions: judge
    # them on a later run, once that block is scanned.
    if not missing or source.tip().hash != ChainState.load().block_hash:
        return []
    vanished = []
    for payment in missing:
        # Not in the mempool and not in any scanned block: replaced or dropped, unless
        # the source still knows it (mined in a block we will scan next).
        if source.transaction(payment.txid) is None:
            vanished.append(payment)
    return vanished
