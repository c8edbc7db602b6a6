"""Reads of the payments app."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from enum import StrEnum
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.db.models.functions import TruncDate
from django.utils import timezone

from btc.bip21 import bip21_uri
from chain.models import ChainState
from creators.models import Creator
from creators.scoping import owned_by
from payments.models import LIVE_PAYMENT_STATES, LightningInvoice, Rail, Tip, TipStatus


def tip_get_public(public_id: str) -> Tip | None:
    """A tip by its public id (what the viewer's URL holds), with what its page shows."""
    return (
        Tip.objects.select_related("creator", "address", "widget", "lightning_invoice")
        .filter(public_id=public_id)
        .first()
    )


def tip_invoice(tip: Tip) -> LightningInvoice | None:
    """The tip's Lightning invoice: a Lightning tip's, or an on-chain tip's also offered over
    Lightning (unified QR) when the query selected it (`select_related("lightning_invoice")`,
    as tip_get_public and the reports do); no query for an on-chain tip otherwise."""
    cached = Tip.lightning_invoice.is_cached(tip)
    if tip.rail != Rail.LIGHTNING and not cached:
        return None
    try:
        return tip.lightning_invoice
    except LightningInvoice.DoesNotExist:
        return None


def tip_payment_uri(tip: Tip) -> str:
    """What a wallet opens: a BIP21 URI for an on-chain tip, `lightning:<invoice>` for a
    Lightning one."""
    invoice = tip_invoice(tip)
    if tip.address is None:
        return f"lightning:{invoice.bolt11}" if invoice is not None else ""
    uri = bip21_uri(tip.address.address, tip.amount_sats, label=f"Tip for @{tip.creator.handle}")
    if invoice is not None and invoice.settled_at is None:
        # Unified BIP21: the wallet picks the rail it can pay on.
        uri += f"&lightning={invoice.bolt11}"
    return uri


def tip_confirmations(tip: Tip, scanned_height: int | None = None) -> int:
    """Confirmations of the least-confirmed live payment (0 while any is in the mempool)."""
    if scanned_height is None:
        scanned_height = ChainState.load().height
    live = [p for p in tip.payments.all() if p.state in LIVE_PAYMENT_STATES]
    return min((payment.confirmations(scanned_height) for payment in live), default=0)


def viewer_status(status: str, *, expires_at: datetime, at: datetime) -> str:
    """The status a viewer sees at `at`: an unpaid tip past its window is expired even
    before the watcher's next run marks it so."""
    if status == TipStatus.AWAITING_PAYMENT and at >= expires_at:
        return TipStatus.EXPIRED
    return status


def tip_viewer_status(tip: Tip) -> str:
    """The status a viewer should see now."""
    return viewer_status(tip.status, expires_at=tip.expires_at, at=timezone.now())


def tip_public_status(tip: Tip, scanned_height: int | None = None) -> dict[str, Any]:
    """What a viewer's payment screen needs to show live: no creator-private data.
    `scanned_height` as for tip_confirmations (read here when None)."""
    invoice = tip_invoice(tip)
    return {
        "id": tip.public_id,
        "status": tip_viewer_status(tip),
        "amount_sats": tip.amount_sats,
        "received_sats": tip.received_sats,
        "confirmed_sats": tip.confirmed_sats,
        "confirmations": tip_confirmations(tip, scanned_height),
        "confirmations_required": tip.confirmations_required,
        "paid_late": tip.paid_late,
        "below_minimum": tip.below_minimum,
        "overpaid": tip.overpaid,
        "rail": tip.rail,
        "address": tip.address.address if tip.address is not None else "",
        "bolt11": invoice.bolt11 if invoice is not None else "",
        "payment_uri": tip_payment_uri(tip),
        "expires_at": tip.expires_at.isoformat(),
    }


# --- Tip messages ---------------------------------------------------------------


class MessageState(StrEnum):
    NONE = "none"
    HIDDEN = "hidden"  # by the creator or a moderator, for good
    HELD = "held"  # matched the word list; waits for review (the creator's choice)
    SHOWN = "shown"


def tip_message_state(tip: Tip) -> MessageState:
    if not tip.message:
        return MessageState.NONE
    if tip.message_hidden:
        return MessageState.HIDDEN
    awaiting_review = tip.message_flagged and tip.message_reviewed_at is None
    if awaiting_review and tip.creator.hold_flagged_messages:
        return MessageState.HELD
    return MessageState.SHOWN


def tip_public_message(tip: Tip) -> str | None:
    """The tip's message as anyone but its creator may see it: None when hidden or held.

    Every public place (tip page, widget, API) shows messages through this.
    """
    return tip.message if tip_message_state(tip) == MessageState.SHOWN else None


def tip_messages_to_review(*, awaiting_review: bool, handle: str = "") -> QuerySet[Tip]:
    """Tips whose message is not hidden, newest first: all of them, or those flagged by the
    word list and not reviewed yet; optionally of one creator (by handle)."""
    tips = Tip.objects.select_related("creator").exclude(message="").filter(message_hidden=False)
    if awaiting_review:
        tips = tips.filter(message_flagged=True, message_reviewed_at__isnull=True)
    if handle:
        tips = tips.filter(creator__handle__iexact=handle)
    return tips.order_by("-created_at", "-pk")


def tip_messages_of(creator: Creator) -> QuerySet[Tip]:
    """The creator's tips that came with a message, hidden ones included, newest first."""
    return (
        owned_by(creator, Tip)
        .select_related("creator")
        .exclude(message="")
        .order_by("-created_at", "-pk")
    )


# --- Platform figures (staff status page) ---------------------------------------


def tips_open_count() -> dict[str, int]:
    """Tips still in progress: awaiting a payment, or paid and confirming."""
    open_statuses = (TipStatus.AWAITING_PAYMENT, TipStatus.IN_MEMPOOL)
    counts = dict(
        Tip.objects.filter(status__in=open_statuses)
        .order_by()
        .values_list("status")
        .annotate(Count("pk"))
    )
    return {status: counts.get(status, 0) for status in open_statuses}


def site_tips_per_day(*, days: int) -> list[tuple[date, int, int]]:
    """Site-wide, for staff: (day, tips created, of which confirmed) for the last `days`
    days up to today, oldest first, days without tips included, in the current time zone."""
    first = timezone.localdate() - timedelta(days=days - 1)
    since = timezone.make_aware(datetime.combine(first, time.min))
    rows = {
        row["day"]: (row["created"], row["confirmed"])
        for row in Tip.objects.filter(created_at__gte=since)
        .annotate(day=TruncDate("created_at"))
        .order_by()
        .values("day")
        .annotate(created=Count("pk"), confirmed=Count("pk", filter=Q(status=TipStatus.CONFIRMED)))
    }
    return [
        (day, *rows.get(day, (0, 0))) for day in (first + timedelta(days=n) for n in range(days))
    ]
