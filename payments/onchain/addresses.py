"""Address allocation for tips, and the gap-limit rules that keep payments visible.

A creator's wallet only looks `BITCACHE_GAP_LIMIT` (20) unused addresses past the
last used one. Abandoned tips would push later, paid addresses out of the wallet's
sight, so allocation:

1. recycles, lowest index first, an address that never received anything and whose
   last tip is past its expiry *and* its monitoring window (only while the watcher is
   current: during an outage "never received anything" cannot be known);
2. otherwise derives the next index, but only if a wallet that has seen every used
   address would still see it (index <= last used index + gap limit);
3. otherwise, under that pressure, recycles early the lowest unused address whose tip
   expired at least `BITCACHE_TIP_RECYCLE_GRACE_MINUTES` ago, else one whose tip was
   abandoned (unpaid and its payment screen unwatched for `BITCACHE_TIP_UNWATCHED_MINUTES`).
   A very late payment to it is still credited (to the newer tip) and still lands in the
   creator's wallet;
4. otherwise refuses: every address the wallet can see is held by an open tip.

The active key's row is locked for the allocation, so concurrent requests for one
creator take turns; requests for different creators don't wait for each other.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import lru_cache

from django.conf import settings
from django.db import connection
from django.db.models import Exists, F, OuterRef, Q, QuerySet, Window
from django.db.models.functions import Lag
from django.utils import timezone

from btc import WatchKey, parse_key
from chain.models import ChainState
from creators.models import WalletKey
from payments.models import (
    Address,
    GapRun,
    GapState,
    Payment,
    PaymentState,
    Tip,
    tip_holds_place,
)

WATCHER_STALE_AFTER = timedelta(minutes=5)
# Candidates tried when recycling, in case the first ones were taken meanwhile.
RESERVE_ATTEMPTS = 5


class AddressUnavailable(Exception):
    """No address can be handed out now without breaking the gap limit."""


@lru_cache(maxsize=256)
def watch_key_for(descriptor: str, network: str) -> WatchKey:
    # Parsing validates checksums and curve points: do it once per process and key.
    return parse_key(descriptor, network=network)


def derive_address(wallet_key: WalletKey, index: int) -> str:
    return watch_key_for(wallet_key.descriptor, wallet_key.network).address(index)


def paid_on_chain(wallet_key: WalletKey) -> QuerySet[Address]:
    """Receive addresses with a payment in a block: what a wallet's gap scan finds.

    Not merely `used`: a mempool payment can be replaced or dropped and leave the
    address empty on chain, and counting it would let allocation run past the gap.
    """
    in_block = Payment.objects.filter(address=OuterRef("pk"), state=PaymentState.CONFIRMED)
    return Address.objects.filter(wallet_key=wallet_key, change=False).filter(Exists(in_block))


def watcher_is_current(now: datetime) -> bool:
    """The watcher ran recently and has scanned up to the chain tip it last saw."""
    state = ChainState.load()
    return (
        state.last_scan_at is not None
        and now - state.last_scan_at <= WATCHER_STALE_AFTER
        and state.height is not None
        and (state.tip_height is None or state.height >= state.tip_height)
    )


def last_used_index(wallet_key: WalletKey) -> int:
    """Highest receive index paid on chain, or -1.

    Read from the facts every time (so a reorg can never leave it stale), but as a probe
    rather than a MAX over the key's history: the key's used addresses are walked from the
    top on the (wallet_key, used, index) index, and the walk stops at the first one with a
    payment in a block. Only the used addresses above it are read (in the mempool, or
    taken back by a reorg): a handful, whatever the creator's history. Called under the
    key's row lock, so it must stay that cheap.
    """
    # Every address a payment was recorded to is `used` (payment_observe), so the filter
    # only narrows the walk to the index's `used` half.
    top = (
        paid_on_chain(wallet_key)
        .filter(used=True)
        .order_by("-index")
        .values_list("index", flat=True)
        .first()
    )
    return -1 if top is None else top


def allocate_address(*, wallet_key: WalletKey, reserve_until: datetime, now: datetime) -> Address:
    """Reserve an address of `wallet_key` for a new tip. Call inside a transaction.

    Locks the key row until the transaction ends.
    """
    key = WalletKey.objects.select_for_update().get(pk=wallet_key.pk)

    # `used` is only as fresh as the watcher: while it lags (an outage), an address
    # paid on time may not be marked yet, so nothing is recycled until it catches up.
    can_recycle = watcher_is_current(now)
    recyclable = Address.objects.filter(
        wallet_key=key, change=False, used=False, reserved_until__lte=now
    )
    address = _reserve_first(recyclable, reserve_until=reserve_until) if can_recycle else None
    if address is not None:
        return address

    index = key.next_index
    if index > last_used_index(key) + settings.BITCACHE_GAP_LIMIT:
        if not can_recycle:
            raise AddressUnavailable
        return recycle_early(key, reserve_until=reserve_until, now=now)
    address = Address.objects.create(
        creator_id=key.creator_id,
        wallet_key=key,
        index=index,
        change=False,
        address=derive_address(key, index),
        reserved_until=reserve_until,
    )
    key.next_index = index + 1
    key.save(update_fields=["next_index"])
    return address


def recycle_early(key: WalletKey, *, reserve_until: datetime, now: datetime) -> Address:
    """Under gap-limit pressure: an unused address whose tip expired a while ago, else one
    whose tip was abandoned (unpaid, its payment screen unwatched: see tip_holds_place)."""
    expired_before = now - timedelta(minutes=settings.BITCACHE_TIP_RECYCLE_GRACE_MINUTES)
    unused = Address.objects.filter(wallet_key=key, change=False, used=False)
    recent = Tip.objects.filter(address=OuterRef("pk"), expires_at__gt=expired_before)
    expired = unused.exclude(Exists(recent))
    address = _reserve_first(expired, reserve_until=reserve_until)
    if address is None:
        # Tips past their window keep their address for the grace; abandoned ones don't.
        held = recent.filter(tip_holds_place(now) | Q(expires_at__lte=now))
        abandoned = unused.exclude(Exists(held))
        address = _reserve_first(abandoned, reserve_until=reserve_until)
    if address is None:
        raise AddressUnavailable
    return address


def _reserve_first(candidates: QuerySet[Address], *, reserve_until: datetime) -> Address | None:
    """Reserve the lowest-index candidate that still qualifies when we write.

    The watcher may mark a candidate used in a transaction that has not committed
    yet: the conditional UPDATE waits for its row lock, re-checks the conditions on
    the committed row, and updates nothing if it no longer qualifies.
    """
    for address in candidates.order_by("index")[:RESERVE_ATTEMPTS]:
        # Watched in the mempool again from now on (payments.onchain.watcher).
        updated = candidates.filter(pk=address.pk).update(
            reserved_until=reserve_until, mempool_check_at=timezone.now()
        )
        if updated:
            address.reserved_until = reserve_until
            return address
    return None


@dataclass(frozen=True)
class GapHealth:
    """How well a wallet with the standard gap limit sees this key's payments.

    `longest_unused_run` is the longest run of never-paid indexes below the highest paid
    one; a wallet misses payments past a run of `gap_limit` or more.
    """

    highest_used_index: int
    longest_unused_run: int
    gap_limit: int

    @property
    def healthy(self) -> bool:
        return self.longest_unused_run < self.gap_limit


def gap_health(wallet_key: WalletKey) -> GapHealth:
    """What the overview shows: read from the runs kept as payments move
    (payments.onchain.gaps), two index probes whatever the creator's history."""
    highest = (
        GapState.objects.filter(wallet_key_id=wallet_key.pk)
        .values_list("highest_paid_index", flat=True)
        .first()
    )
    longest = (
        GapRun.objects.filter(wallet_key_id=wallet_key.pk)
        .order_by("-length")
        .values_list("length", flat=True)
        .first()
    )
    return GapHealth(
        highest_used_index=-1 if highest is None else highest,
        longest_unused_run=longest or 0,
        gap_limit=settings.BITCACHE_GAP_LIMIT,
    )


def gap_health_recount(wallet_key: WalletKey) -> GapHealth:
    """gap_health recounted from the payments, to check the kept value against: each paid
    index is compared with the paid index before it (a window over the key's index), and
    only the top and the widest gap come back; no index is loaded into Python."""
    paid = (
        paid_on_chain(wallet_key)
        .annotate(previous=Window(Lag("index", default=-1), order_by=F("index").asc()))
        .values("index", "previous")
    )
    sql, params = paid.query.sql_with_params()
    with connection.cursor() as cursor:
        # `sql` is the ORM's own compiled query; every value in it is a bound parameter.
        cursor.execute(
            f'SELECT MAX(paid."index"), MAX(paid."index" - paid."previous" - 1) FROM ({sql}) paid',  # noqa: S608
            params,
        )
        highest, longest = cursor.fetchone()
    return GapHealth(
        highest_used_index=-1 if highest is None else highest,
        longest_unused_run=longest or 0,
        gap_limit=settings.BITCACHE_GAP_LIMIT,
    )
