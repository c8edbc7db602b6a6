"""Address allocation for tips, and the gap-limit rules that keep payments visible.

A creator's wallet only looks `BITCACHE_GAP_LIMIT` (20) unused addresses past the
last used one. Abandoned tips would push later, paid addresses out of the wallet's
sight, so allocation:

1. recycles, lowest index first, an address that never received anything and whose
   last tip is past its expiry *and* its monitoring window;
2. otherwise derives the next index, but only if a wallet that has seen every used
   address would still see it (index <= last used index + gap limit);
3. otherwise, under that pressure, recycles early the lowest unused address whose tip
   expired at least `BITCACHE_TIP_RECYCLE_GRACE_MINUTES` ago. A very late payment to it
   is still credited (to the newer tip) and still lands in the creator's wallet;
4. otherwise refuses: every address the wallet can see is held by an open tip.

The active key's row is locked for the allocation, so concurrent requests for one
creator take turns; requests for different creators don't wait for each other.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import lru_cache

from django.conf import settings
from django.db.models import Exists, Max, OuterRef

from creators.keys import WatchKey, parse_key
from creators.models import WalletKey
from payments.models import Address, Tip


class AddressUnavailable(Exception):
    """No address can be handed out now without breaking the gap limit."""


@lru_cache(maxsize=256)
def watch_key_for(descriptor: str, network: str) -> WatchKey:
    # Parsing validates checksums and curve points: do it once per process and key.
    return parse_key(descriptor, network=network)


def derive_address(wallet_key: WalletKey, index: int) -> str:
    return watch_key_for(wallet_key.descriptor, wallet_key.network).address(index)


def last_used_index(wallet_key: WalletKey) -> int:
    """Highest receive index that ever got a payment, or -1."""
    used = Address.objects.filter(wallet_key=wallet_key, change=False, used=True)
    top = used.aggregate(top=Max("index"))["top"]
    return -1 if top is None else top


def allocate_address(*, wallet_key: WalletKey, reserve_until: datetime, now: datetime) -> Address:
    """Reserve an address of `wallet_key` for a new tip. Call inside a transaction.

    Locks the key row until the transaction ends.
    """
    key = WalletKey.objects.select_for_update().get(pk=wallet_key.pk)

    recyclable = (
        Address.objects.filter(wallet_key=key, change=False, used=False, reserved_until__lte=now)
        .order_by("index")
        .first()
    )
    if recyclable is not None:
        recyclable.reserved_until = reserve_until
        recyclable.save(update_fields=["reserved_until"])
        return recyclable

    index = key.next_index
    if index > last_used_index(key) + settings.BITCACHE_GAP_LIMIT:
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
    expired_before = now - timedelta(minutes=settings.BITCACHE_TIP_RECYCLE_GRACE_MINUTES)
    still_open = Tip.objects.filter(address=OuterRef("pk"), expires_at__gt=expired_before)
    address = (
        Address.objects.filter(wallet_key=key, change=False, used=False)
        .exclude(Exists(still_open))
        .order_by("index")
        .first()
    )
    if address is None:
        raise AddressUnavailable
    address.reserved_until = reserve_until
    address.save(update_fields=["reserved_until"])
    return address


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
    used = list(
        Address.objects.filter(wallet_key=wallet_key, change=False, used=True)
        .order_by("index")
        .values_list("index", flat=True)
    )
    longest, previous = 0, -1
    for index in used:
        longest = max(longest, index - previous - 1)
        previous = index
    return GapHealth(
        highest_used_index=previous,
        longest_unused_run=longest,
        gap_limit=settings.BITCACHE_GAP_LIMIT,
    )
