"""Writes of the payments app: creating tips and crediting what the chain shows.

Every satoshi sent to a tip address is recorded as a Payment (unique by txid and
output index) and credited to the tip; a tip's status and flags are always
recomputed from its payments, so replaying the same chain events changes nothing.
"""

from __future__ import annotations

import logging
import unicodedata
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from math import ceil
from typing import Any, Protocol

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Case, F, Value, When
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from chain import BlockHeader
from chain.models import ChainState
from creators.models import Creator, CreatorStatus, WalletKey
from creators.selectors import wallet_key_active
from payments.events import tip_event_record
from payments.models import (
    LIVE_PAYMENT_STATES,
    Address,
    LightningInvoice,
    Payment,
    PaymentState,
    Rail,
    Tip,
    TipStatus,
    tip_holds_place,
)
from payments.onchain.addresses import AddressUnavailable, allocate_address
from payments.onchain.gaps import GapChanges, gaps_sync
from payments.pricing import (
    Pricing,
    creator_pricing,
    item_price_sats,
    minimum_tip_sats,
    pricing_now,
)
from payments.rollups import RollupDeltas
from payments.selectors import tip_get_public, tip_public_status, tip_viewer_status
from payments.signals import tip_credited, tip_message_screen
from payments.status_cache import (
    cache_set,
    entry_and_height,
    entry_key,
    entry_seconds,
    scanned_height,
    tip_status_forget,
)
from web.fiat import FiatAmount

log = logging.getLogger(__name__)


class TipOrigin(Protocol):
    """Where a tip was made from (a widget): payments needs only these facts of it."""

    pk: Any
    creator_id: Any
    is_active: bool
    min_tip_sats: int
    video_id: str


class SaleItem(Protocol):
    """What a purchase buys (a paid unlock): payments needs only its owner and price."""

    pk: Any
    creator_id: Any
    price_sats: int
    price_fiat: Decimal | None


NAME_MAX_LENGTH = 50
MESSAGE_MAX_LENGTH = 280


class TipRefused(Exception):
    """The tip cannot be created; `message` says why in words a viewer understands.

    `retry_at`: when trying again should work (a refusal for being busy), if known.
    """

    def __init__(self, code: str, message: str, *, retry_at: datetime | None = None):
        super().__init__(message)
        self.code = code
        self.message = message
        self.retry_at = retry_at

    def retry_after(self) -> int | None:
        """Seconds until `retry_at`, for a Retry-After header."""
        if self.retry_at is None:
            return None
        return max(1, ceil((self.retry_at - timezone.now()).total_seconds()))


def _about(moment: datetime, now: datetime) -> str:
    minutes = max(1, ceil((moment - now).total_seconds() / 60))
    return ngettext("%(count)d minute", "%(count)d minutes", minutes) % {"count": minutes}


def _busy(places: list[Tip], now: datetime) -> TipRefused:
    """The creator's open-tip places are all held: say when the first one frees up."""
    frees_at = min(
        (tip.place_frees_at() for tip in places),
        # No place held, yet no address free: addresses of tips that expired lately come
        # back within the recycling grace.
        default=now + timedelta(minutes=settings.BITCACHE_TIP_RECYCLE_GRACE_MINUTES),
    )
    return TipRefused(
        "busy",
        _(
            "This creator has many unpaid tips waiting. A place frees up in about %(wait)s: "
            "please try again then, or pay a tip you already opened."
        )
        % {"wait": _about(frees_at, now)},
        retry_at=frees_at,
    )


def _client_busy(mine: list[Tip], now: datetime) -> TipRefused:
    frees_at = min(tip.place_frees_at() for tip in mine)
    return TipRefused(
        "busy",
        ngettext(
            "You already have %(count)d unpaid tip open for this creator. "
            "Pay it, or try again in about %(wait)s.",
            "You already have %(count)d unpaid tips open for this creator. "
            "Pay one of them, or try again in about %(wait)s.",
            len(mine),
        )
        % {"count": len(mine), "wait": _about(frees_at, now)},
        retry_at=frees_at,
    )


def tip_message_flagged(message: str) -> bool:
    """Whether a tip message must wait for review: any receiver of tip_message_screen
    (the staff word list, in moderation) says so."""
    if not message:
        return False
    return any(
        flagged for _receiver, flagged in tip_message_screen.send(sender=Tip, message=message)
    )


def clean_text(value: str, max_length: int, field: str) -> str:
    """Plain text: control characters dropped, whitespace trimmed, length enforced."""
    text = "".join(
        ch for ch in (value or "") if ch in "\n " or unicodedata.category(ch)[0] != "C"
    ).strip()
    if len(text) > max_length:
        raise TipRefused(
            f"{field}_too_long",
            _("%(field)s is limited to %(max)d characters.")
            % {"field": field.capitalize(), "max": max_length},
        )
    return text


def _amount_in_sats(amount_fiat: FiatAmount, shown: Pricing, now: datetime) -> tuple[int, Pricing]:
    """A fiat amount in sats at the rate of its currency now; refused without one."""
    pricing = shown
    if amount_fiat.currency != shown.currency:
        pricing = pricing_now(amount_fiat.currency, now=now)
    sats = pricing.sats(amount_fiat.amount)
    if sats is None:
        raise TipRefused(
            "amount_fiat_unavailable",
            _(
                "The %(currency)s price of bitcoin is unavailable right now: please enter "
                "the amount in sats."
            )
            % {"currency": amount_fiat.currency},
        )
    return sats, pricing


def amount_check(amount_sats: object, minimum: int, pricing: Pricing) -> int:
    """The amount as a whole number of sats within the limits; refusals name the minimum
    in the viewer's currency too when `pricing` has a rate."""
    if not isinstance(amount_sats, int) or isinstance(amount_sats, bool):
        raise TipRefused("amount_invalid", _("The amount must be a whole number of sats."))
    if amount_sats < minimum:
        sats = number_format(minimum, force_grouping=True)
        at_least = pricing.fiat_covering(minimum)
        raise TipRefused(
            "amount_below_minimum",
            _("The minimum tip is %(fiat)s (%(min)s sats).") % {"fiat": at_least, "min": sats}
            if at_least is not None
            else _("The minimum tip is %(min)s sats.") % {"min": sats},
        )
    if amount_sats > settings.BITCACHE_MAX_TIP_SATS:
        raise TipRefused(
            "amount_too_large",
            _("That is more than %(max)s sats; please check the amount.")
            % {"max": number_format(settings.BITCACHE_MAX_TIP_SATS, force_grouping=True)},
        )
    return amount_sats


def tip_create(
    *,
    creator: Creator,
    amount_sats: int | None = None,
    amount_fiat: FiatAmount | None = None,
    name: str = "",
    name_public: bool = False,
    message: str = "",
    widget: TipOrigin | None = None,
    video_id: str = "",
    unlock_item: SaleItem | None = None,
    client: str = "",
    now: datetime | None = None,
) -> Tip:
    """Create a tip awaiting payment on a fresh (or safely recycled) address of the creator.

    The amount is `amount_sats`, or `amount_fiat` converted at its currency's rate now
    (payments.pricing); the tip keeps the creator's currency's rate of the moment.
    With `unlock_item` the tip is a purchase of that item: its price is the minimum.
    `client` is the fingerprint of who asks (payments.throttle.client_fingerprint): one
    client holds at most BITCACHE_MAX_OPEN_TIPS_PER_CLIENT of the creator's
    BITCACHE_MAX_OPEN_TIPS_PER_CREATOR places (tips that hold one: models.tip_holds_place).
    """
    now = now or timezone.now()
    if creator.status != CreatorStatus.ACTIVE or (widget is not None and not widget.is_active):
        raise TipRefused("not_accepting", _("This creator is not accepting tips right now."))
    if widget is not None and widget.creator_id != creator.pk:
        raise TipRefused("not_accepting", _("This widget does not belong to this creator."))
    if unlock_item is not None and unlock_item.creator_id != creator.pk:
        raise TipRefused("not_accepting", _("This item does not belong to this creator."))
    # The creator's currency at the rate of the moment: it prices a fiat minimum, and the
    # tip keeps it (Tip.rate_snapshot). An amount given in fiat converts at its own
    # currency's rate, and a refusal speaks that currency.
    shown = creator_pricing(creator, now=now)
    entered = shown
    if amount_fiat is not None:
        amount_sats, entered = _amount_in_sats(amount_fiat, shown, now)
    if unlock_item is not None:
        # A purchase costs the item's price at this moment, held for its payment window.
        minimum = item_price_sats(unlock_item, shown)
        amount_sats = minimum if amount_sats is None else amount_sats
    else:
        minimum = minimum_tip_sats(creator, widget, pricing=shown)
    amount_sats = amount_check(amount_sats, minimum, entered)
    name = clean_text(name, NAME_MAX_LENGTH, "name")
    message = clean_text(message, MESSAGE_MAX_LENGTH, "message")
    # Outside the transaction below: it holds the creator's key lock.
    message_flagged = tip_message_flagged(message)
    wallet_key = wallet_key_active(creator=creator)
    if wallet_key is None:
        raise TipRefused("not_accepting", _("This creator is not accepting tips right now."))

    expires_at = now + timedelta(minutes=settings.BITCACHE_TIP_EXPIRY_MINUTES)
    watch_until = expires_at + timedelta(hours=settings.BITCACHE_TIP_MONITOR_HOURS)
    with transaction.atomic():
        # The key row lock serialises this creator's allocations, so the open-tip
        # counts below cannot be raced past the caps.
        WalletKey.objects.select_for_update().filter(pk=wallet_key.pk).first()
        places = list(
            Tip.objects.filter(tip_holds_place(now), creator=creator).only(
                "client_fingerprint", "expires_at", "watched_at", "created_at"
            )
        )
        mine = [tip for tip in places if client and tip.client_fingerprint == client]
        if len(mine) >= settings.BITCACHE_MAX_OPEN_TIPS_PER_CLIENT:
            raise _client_busy(mine, now)
        if len(places) >= settings.BITCACHE_MAX_OPEN_TIPS_PER_CREATOR:
            raise _busy(places, now)
        try:
            address = allocate_address(wallet_key=wallet_key, reserve_until=watch_until, now=now)
        except AddressUnavailable:
            raise _busy(places, now) from None
        return Tip.objects.create(
            creator=creator,
            # By id: payments knows widgets and items only as TipOrigin and SaleItem.
            widget_id=widget.pk if widget else None,
            unlock_item_id=unlock_item.pk if unlock_item else None,
            video_id=(video_id or (widget.video_id if widget else ""))[:200],
            address=address,
            amount_sats=amount_sats,
            minimum_sats=minimum,
            name=name,
            name_public=name_public and bool(name),
            message=message,
            message_flagged=message_flagged,
            confirmations_required=creator.confirmations_required,
            created_at=now,
            expires_at=expires_at,
            watch_until=watch_until,
            client_fingerprint=client,
            **Tip.snapshot_fields(shown.rate),
        )


# A payment screen polls every few seconds; its tip's row is written at most this often.
WATCH_RECORD_EVERY = timedelta(seconds=30)


def tip_watched(*, tip: Tip, now: datetime | None = None) -> None:
    """Someone has the tip's payment screen open: it keeps holding its place (tip_holds_place).

    Cheap enough for every poll: at most one UPDATE per tip per WATCH_RECORD_EVERY, none
    once the tip is paid or expired.
    """
    now = now or timezone.now()
    if not tip.is_open or (tip.watched_at and now - tip.watched_at < WATCH_RECORD_EVERY):
        return
    Tip.objects.filter(pk=tip.pk).update(watched_at=now)
    tip.watched_at = now


def tip_status_poll(public_id: str, *, now: datetime | None = None) -> dict[str, Any] | None:
    """A payment screen polls its tip (status.json): record the watch (tip_watched) and
    return tip_public_status, from the tip's cache entry when there is one (see
    payments.status_cache); None for no such tip.
    """
    now = now or timezone.now()
    key = entry_key(public_id)
    entry, cached_height = entry_and_height(public_id)
    if entry is None:
        tip = tip_get_public(public_id)
        if tip is None:
            return None
        tip_watched(tip=tip, now=now)
        live = [p for p in tip.payments.all() if p.state in LIVE_PAYMENT_STATES]
        entry = {
            "pk": tip.pk,
            "status": tip.status,
            "watched_at": tip.watched_at,
            # (state, height) of each live payment: confirmations follow the chain.
            "payments": [(p.state, p.block_height) for p in live],
            "public": tip_public_status(tip, scanned_height()),
        }
        cache_set(key, entry, entry_seconds())
        return entry["public"]
    # The same rules as for a tip read from the database, on the entry's facts.
    tip = Tip(pk=entry["pk"], status=entry["status"], watched_at=entry["watched_at"])
    tip_watched(tip=tip, now=now)
    if tip.watched_at != entry["watched_at"]:
        cache_set(key, {**entry, "watched_at": tip.watched_at}, entry_seconds())
    public = dict(entry["public"])
    tip.expires_at = datetime.fromisoformat(public["expires_at"])
    public["status"] = tip_viewer_status(tip)
    height = scanned_height(cached_height)
    public["confirmations"] = min(
        (
            Payment(state=state, block_height=block_height).confirmations(height)
            for state, block_height in entry["payments"]
        ),
        default=0,
    )
    return public


# --- Crediting payments -------------------------------------------------------


def tip_for_address(address: Address, seen_at: datetime) -> Tip | None:
    """The tip a payment to `address` first seen at `seen_at` belongs to.

    Recycled addresses have several tips; the payment belongs to the latest one
    created before it was seen. None for an address no tip was ever given: allocation
    creates an address with its tip, so only a row written by hand can be one.
    """
    tips = address.tips.order_by("-created_at", "-pk")
    return tips.filter(created_at__lte=seen_at).first() or tips.first()


@dataclass
class Observed:
    """One output paying a watched address, as the chain source showed it."""

    address: Address
    txid: str
    vout: int
    value_sats: int
    block: BlockHeader | None  # None while in the mempool


def payment_observe(
    observed: Observed, *, now: datetime, gaps: GapChanges | None = None
) -> Payment | None:
    """Record an output seen in the mempool or in a block. Idempotent.

    None, and nothing recorded, for an output to an address that no tip owns (see
    tip_for_address): one such row must not stop the scan for every creator.

    A payment entering a block may make its address paid on chain: its key's gap health
    (payments.onchain.gaps) is brought up to date through `gaps`, which the caller writes
    before refreshing tips, or at once without one.
    """
    payment = (
        Payment.objects.select_for_update().filter(txid=observed.txid, vout=observed.vout).first()
    )
    if payment is None:
        # The clock now, not the run's start: a tip created on a recycled address
        # during this run must get the payment made to it.
        tip = tip_for_address(observed.address, timezone.now())
        if tip is None:
            log.error(
                "output %s:%s pays address #%s, which has no tip: not recorded",
                observed.txid,
                observed.vout,
                observed.address.pk,
            )
            return None
        payment = Payment(
            tip=tip,
            address=observed.address,
            txid=observed.txid,
            vout=observed.vout,
            value_sats=observed.value_sats,
            first_seen_at=now,
        )
        if not observed.address.used:
            Address.objects.filter(pk=observed.address.pk).update(used=True)
            observed.address.used = True
        try:
            with transaction.atomic():
                payment.save()
        except IntegrityError:
            # The block scan and the mempool watcher run apart: the other one recorded
            # this output first (and committed). Carry on from its row.
            payment = Payment.objects.select_for_update().get(
                txid=observed.txid, vout=observed.vout
            )
    was_in_block = payment.state == PaymentState.CONFIRMED
    if observed.block is not None:
        payment.state = PaymentState.CONFIRMED
        payment.block_height = observed.block.height
        payment.block_hash = observed.block.hash
    elif payment.state != PaymentState.CONFIRMED:
        # Seen (again) in the mempool: a reorged-out or wrongly presumed replaced
        # transaction is live again. A confirmed one stays confirmed.
        payment.state = PaymentState.MEMPOOL
    payment.save()
    if was_in_block != (payment.state == PaymentState.CONFIRMED):
        if gaps is None:
            gaps_sync([payment.address_id])
        else:
            gaps.touched(payment.address_id)
    return payment


def payments_mark_replaced(payments: list[Payment]) -> set[int]:
    """Mempool payments whose transaction vanished (RBF replacement or drop)."""
    ids = [p.pk for p in payments if p.state == PaymentState.MEMPOOL]
    # Only those still in the mempool state: one seen in a block meanwhile stays confirmed.
    Payment.objects.filter(pk__in=ids, state=PaymentState.MEMPOOL).update(
        state=PaymentState.REPLACED
    )
    return {p.tip_id for p in payments if p.pk in ids}


def payments_revert_above(height: int) -> set[int]:
    """Payments in blocks above `height` were reorganised away; returns affected tip ids.

    Their addresses may be unpaid on chain again: their keys' gap health follows, in the
    same transaction (before the caller refreshes the tips: see payments.onchain.gaps).
    """
    reverted = Payment.objects.filter(state=PaymentState.CONFIRMED, block_height__gt=height)
    moved = list(reverted.values_list("tip_id", "address_id"))
    reverted.update(state=PaymentState.REORGED, block_height=None, block_hash="")
    gaps_sync(address_id for _tip, address_id in moved)
    return {tip_id for tip_id, _address in moved}


DERIVED_TIP_FIELDS = (
    "status",
    "received_sats",
    "confirmed_sats",
    "first_seen_at",
    "paid_late",
    "below_minimum",
    "overpaid",
    "confirmed_at",
)


def tip_refresh(
    tip: Tip,
    *,
    scanned_height: int | None,
    now: datetime,
    announce: bool = True,
    rollup: RollupDeltas | None = None,
) -> Tip:
    """Recompute a tip's totals, status and flags from the facts: its on-chain payments
    and, for a Lightning tip, whether its invoice was settled.

    A status move is announced (a TipEvent, see payments.events) in the same
    transaction, unless `announce` is False: the watcher holds it back while a reorg
    is rescanned, and announces where the tip ended up at the end of its run.

    The move's difference to the confirmed-tip rollups (payments.rollups) goes into
    `rollup`, which the caller writes after locking all its tips (tips_refresh); without
    one, the tip's row is locked and re-read here and the difference written at once.
    """
    live = [p for p in tip.payments.all() if p.state in LIVE_PAYMENT_STATES]
    final = [p for p in live if p.confirmations(scanned_height) >= tip.confirmations_required]
    # A settled invoice is final at once: no mempool, confirmations or reorgs. Only read for
    # Lightning tips, so the watcher's refreshes of on-chain tips cost no extra query.
    invoice = (
        LightningInvoice.objects.filter(tip=tip).first() if tip.rail == Rail.LIGHTNING else None
    )
    settled_at = invoice.settled_at if invoice is not None else None
    settled_sats = invoice.amount_sats if invoice is not None and settled_at else 0
    received = sum(p.value_sats for p in live) + settled_sats
    if not live and settled_at is None:
        status = TipStatus.EXPIRED if now >= tip.expires_at else TipStatus.AWAITING_PAYMENT
    elif final or settled_at is not None:
        # Confirmed once a payment is final; a later top-up adds to it without taking
        # the tip back (only losing a payment is a reversal).
        status = TipStatus.CONFIRMED
    else:
        status = TipStatus.IN_MEMPOOL

    previous = tip.status
    previous_totals = (tip.received_sats, tip.confirmed_sats)
    tip.status = status
    tip.received_sats = received
    tip.confirmed_sats = sum(p.value_sats for p in final) + settled_sats
    seen = [p.first_seen_at for p in live] + ([settled_at] if settled_at else [])
    tip.first_seen_at = min(seen, default=None)
    # Late only if the viewer's first attempt was: a fee bump (RBF) after expiry of a
    # payment sent in time replaces it with a transaction first seen later. A Lightning
    # payment is never late: a node does not pay an expired invoice (we may learn of it
    # after the expiry, by a late notification or look-up).
    first_attempt = min((p.first_seen_at for p in tip.payments.all()), default=None)
    tip.paid_late = bool(live) and first_attempt is not None and first_attempt > tip.expires_at
    tip.below_minimum = 0 < received < tip.minimum_sats
    tip.overpaid = received > tip.amount_sats
    if status != TipStatus.CONFIRMED:
        tip.confirmed_at = None
    elif tip.confirmed_at is None:
        tip.confirmed_at = settled_at if settled_at and not final else now
    with transaction.atomic():
        written = rollup or RollupDeltas()
        if rollup is None:
            # What the rollups hold for this tip is what its row says, whatever this
            # (possibly stale) object says: lock the row and read it.
            row = (
                Tip.objects.select_for_update()
                .filter(pk=tip.pk)
                .values_list("status", "confirmed_sats")
            )
            before = row.first() or (previous, previous_totals[1])
        else:
            before = (previous, previous_totals[1])
        # Only the fields derived from payments: a concurrent hide or review of the message
        # by the creator or a moderator must not be overwritten by the watcher.
        tip.save(update_fields=[*DERIVED_TIP_FIELDS, "updated_at"])
        written.tip_moved(tip, before=before, after=(tip.status, tip.confirmed_sats))
        if rollup is None:
            written.write()
        # Even with the same status and totals: a payment may have moved (its height).
        tip_status_forget(tip)
        if previous != status or previous_totals != (tip.received_sats, tip.confirmed_sats):
            tip_credited.send(sender=Tip, tip=tip)
        if announce:
            tip_event_record(tip, now=now)
    return tip


def tips_refresh(tip_ids: set[int], *, now: datetime, announce: bool = True) -> None:
    """Recompute these tips, each row locked first (in id order) so that the block scan
    and the mempool watcher, which run apart, never write a status read before the
    other's commit."""
    if not tip_ids:
        return
    scanned_height = ChainState.load().height
    rollup = RollupDeltas()
    with transaction.atomic():
        locked = Tip.objects.select_for_update().filter(pk__in=tip_ids).order_by("pk")
        for tip in locked.prefetch_related("payments"):
            tip_refresh(
                tip, scanned_height=scanned_height, now=now, announce=announce, rollup=rollup
            )
        # After every tip lock, in the rollups' own order (see payments.rollups).
        rollup.write()


def tips_expire(*, now: datetime) -> int:
    """Tips past their payment window with nothing received become expired."""
    due = Tip.objects.filter(status=TipStatus.AWAITING_PAYMENT, expires_at__lte=now)
    # Expiring unpaid is no news to listeners, so it is announced as it happens; a tip
    # held back after a reorg keeps what listeners last heard (tips_announce tells them).
    return due.update(
        status=TipStatus.EXPIRED,
        announced_status=Case(
            When(announced_status=TipStatus.AWAITING_PAYMENT, then=Value(TipStatus.EXPIRED)),
            default=F("announced_status"),
        ),
    )
