"""Reads of paid unlocks: items, purchases, grants, and whether an access link works.

A purchase is a Tip with `unlock_item` set. It unlocks when what counts towards
the price reaches the amount asked when it was made: every payment still seen
(mempool or block) if the creator opted in for 0-conf, else confirmed payments.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.db.models import Count, Q, QuerySet, Sum
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone

from btc.bip21 import bip21_uri
from creators.models import Creator
from creators.scoping import owned_by
from payments.models import Tip, TipStatus
from payments.selectors import tip_invoice, tip_payment_uri, tip_public_status
from unlocks.access import access_token, access_token_expired, access_token_grant_id
from unlocks.models import UnlockGrant, UnlockItem
from unlocks.receipts import format_receipt_code, normalize_receipt_code


def item_get_public(item_id: str) -> UnlockItem | None:
    """An item on sale by its public id, with its creator; disabled items are not found."""
    items = UnlockItem.objects.select_related("creator")
    return items.filter(public_id=item_id, is_active=True).first()


# --- Purchases --------------------------------------------------------------


def purchase_get_public(purchase_id: str) -> Tip | None:
    """A purchase by its public id (the buyer's payment page URL holds it)."""
    return (
        Tip.objects.select_related(
            "creator", "address", "unlock_item", "unlock_grant", "lightning_invoice"
        )
        .filter(public_id=purchase_id, unlock_item__isnull=False)
        .first()
    )


def purchase_item(purchase: Tip) -> UnlockItem:
    """The item a purchase buys: every purchase has one (and it cannot be deleted)."""
    if purchase.unlock_item is None:
        raise ValueError(f"tip {purchase.public_id} is not a purchase")
    return purchase.unlock_item


def purchase_counted_sats(purchase: Tip) -> int:
    """What counts towards the price now (see the module docstring)."""
    item = purchase_item(purchase)
    return purchase.received_sats if item.allow_zero_conf else purchase.confirmed_sats


def purchase_meets_price(purchase: Tip) -> bool:
    return purchase_counted_sats(purchase) >= purchase.amount_sats


def purchase_missing_sats(purchase: Tip) -> int:
    """How much more the buyer must send: zero once enough was sent, even unconfirmed."""
    return max(purchase.amount_sats - purchase.received_sats, 0)


def purchase_grant(purchase: Tip) -> UnlockGrant | None:
    try:
        return purchase.unlock_grant
    except UnlockGrant.DoesNotExist:
        return None


def slots_taken(item: UnlockItem, *, now: datetime | None = None) -> int:
    """Purchases holding one of the item's sales: open and unexpired, or paid (even partly).

    An unpaid purchase past its window gives its slot back; a payment arriving later
    is still credited and still unlocks, so the limit is exceeded rather than money ignored.
    """
    open_ = Q(status=TipStatus.AWAITING_PAYMENT, expires_at__gt=now or timezone.now())
    paid = Q(status__in=[TipStatus.IN_MEMPOOL, TipStatus.CONFIRMED])
    return item.purchases.filter(open_ | paid).count()


def access_path(grant: UnlockGrant) -> str:
    """A fresh access link for the grant: /unlock/<token>, valid for the item's TTL."""
    return reverse("unlocks:access", args=[access_token(grant.public_id)])


def purchase_payment_uri(purchase: Tip, amount_sats: int) -> str:
    if purchase.address is None:  # a Lightning purchase: its invoice, for the whole price
        return tip_payment_uri(purchase)
    uri = bip21_uri(
        purchase.address.address, amount_sats, label=f"Unlock from @{purchase.creator.handle}"
    )
    invoice = tip_invoice(purchase)
    if invoice is not None and invoice.settled_at is None and amount_sats == invoice.amount_sats:
        # Unified BIP21, as for tips; once part is paid on-chain the invoice (for the whole
        # price) would overpay, so only the rest on-chain is asked.
        uri += f"&lightning={invoice.bolt11}"
    return uri


def purchase_viewer_state(purchase: Tip, *, site: str) -> dict[str, Any]:
    """The payment screen's state: the tip's, plus what a purchase adds.

    While part of the price is missing, the payment request asks for that part only
    (a top-up to the same address). The access link and receipt code appear only
    while the purchase unlocks; the sold link itself never does: it only ever
    leaves the server as the Location header of a valid /unlock/<token>.
    """
    base = tip_public_status(purchase)
    grant = purchase_grant(purchase)
    refusal = access_refusal(grant) if grant is not None else None
    opened = grant if refusal is None else None
    unlocked = opened is not None
    missing = purchase_missing_sats(purchase)
    underpaid = purchase.received_sats > 0 and missing > 0
    return {
        **base,
        "payment_uri": purchase_payment_uri(purchase, missing or purchase.amount_sats),
        "price_sats": purchase.amount_sats,
        "missing_sats": missing,
        "underpaid": underpaid,
        "needs_payment": underpaid or base["status"] == TipStatus.AWAITING_PAYMENT,
        "waiting_confirmation": missing == 0 and grant is None,
        "unlocked": unlocked,
        "revoked": refusal == Refusal.REVOKED,
        "reverted": refusal == Refusal.UNPAID,
        "access_url": site + access_path(opened) if opened else "",
        "receipt_code": format_receipt_code(opened.receipt_code) if opened else "",
        # Nothing more can change on this page: its poller may stop.
        "settled": unlocked and purchase.status == TipStatus.CONFIRMED,
    }


# --- Access -----------------------------------------------------------------


class Refusal(enum.StrEnum):
    INVALID = "invalid"  # not a link we signed, or no such grant
    EXPIRED = "expired"  # older than the item's link lifetime: recover a fresh one
    REVOKED = "revoked"  # the creator revoked this purchase's access
    UNPAID = "unpaid"  # the payment no longer meets the price (replaced, reorganised)


@dataclass(frozen=True)
class Opened:
    """An access link or receipt code that opens its grant's link."""

    grant: UnlockGrant
    refusal: None = None


@dataclass(frozen=True)
class Refused:
    """Why an access link or receipt code opens nothing; `grant` is the one it named."""

    refusal: Refusal
    grant: UnlockGrant | None = None


Access = Opened | Refused


def _access(grant: UnlockGrant) -> Access:
    refusal = access_refusal(grant)
    return Opened(grant) if refusal is None else Refused(refusal, grant)


def _grant_with_item() -> QuerySet[UnlockGrant]:
    return UnlockGrant.objects.select_related("purchase__unlock_item", "purchase__creator")


def access_refusal(grant: UnlockGrant) -> Refusal | None:
    """Why the grant opens nothing now, or None if it opens its link."""
    if grant.is_revoked:
        return Refusal.REVOKED
    if not purchase_meets_price(grant.purchase):
        return Refusal.UNPAID
    return None


def access_by_token(token: str) -> Access:
    grant_id = access_token_grant_id(token)
    grant = _grant_with_item().filter(public_id=grant_id).first() if grant_id else None
    if grant is None:
        return Refused(Refusal.INVALID)
    ttl = timedelta(days=purchase_item(grant.purchase).link_ttl_days)
    if access_token_expired(token, ttl=ttl):
        return Refused(Refusal.EXPIRED, grant)
    return _access(grant)


def access_by_receipt(text: str) -> Access:
    code = normalize_receipt_code(text)
    grant = _grant_with_item().filter(receipt_code=code).first() if code else None
    if grant is None:
        return Refused(Refusal.INVALID)
    return _access(grant)


# --- The creator's items and sales ---------------------------------------------


def items_of(creator: Creator) -> QuerySet[UnlockItem]:
    """The creator's items, on sale first, newest first, with sales and revenue.

    Sales are purchases that unlocked; revenue is every confirmed sat paid for the
    item, late, short or over the price.
    """
    return (
        owned_by(creator, UnlockItem)
        .annotate(
            sales=Count("purchases__unlock_grant"),
            revenue_sats=Coalesce(Sum("purchases__confirmed_sats"), 0),
        )
        .order_by("-is_active", "-created_at", "-pk")
    )


def item_get_owned(creator: Creator, item_id: str) -> UnlockItem | None:
    """One of the creator's own items; another creator's item is simply not found."""
    return items_of(creator).filter(public_id=item_id).first()


def grants_of(creator: Creator, item: UnlockItem) -> QuerySet[UnlockGrant]:
    return (
        owned_by(creator, UnlockGrant)
        .filter(purchase__unlock_item=item)
        .select_related("purchase", "purchase__unlock_item")
        .prefetch_related("purchase__payments")
    )


@dataclass(frozen=True)
class GrantRow:
    grant: UnlockGrant
    refusal: Refusal | None


def grant_rows(creator: Creator, item: UnlockItem) -> list[GrantRow]:
    """The item's grants, newest first, each with why it opens nothing now (if it doesn't)."""
    return [GrantRow(grant, access_refusal(grant)) for grant in grants_of(creator, item)]


def grant_get_owned(creator: Creator, item: UnlockItem, grant_id: str) -> UnlockGrant | None:
    return grants_of(creator, item).filter(public_id=grant_id).first()
