"""Reads of the payments app."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from payments.bip21 import bip21_uri
from payments.models import LIVE_PAYMENT_STATES, ChainState, PaymentState, Tip


def tip_get_public(public_id: str) -> Tip | None:
    """A tip by its public id (what the viewer's URL holds), with what its page shows."""
    return (
        Tip.objects.select_related("creator", "address", "widget")
        .filter(public_id=public_id)
        .first()
    )


def tip_payment_uri(tip: Tip) -> str:
    return bip21_uri(tip.address.address, tip.amount_sats, label=f"Tip for @{tip.creator.handle}")


def tip_confirmations(tip: Tip, scanned_height: int | None = None) -> int:
    """Confirmations of the least-confirmed live payment (0 while any is in the mempool)."""
    if scanned_height is None:
        scanned_height = ChainState.load().height
    depths = []
    for payment in tip.payments.all():
        if payment.state == PaymentState.MEMPOOL:
            depths.append(0)
        elif payment.state == PaymentState.CONFIRMED and scanned_height is not None:
            depths.append(max(scanned_height - payment.block_height + 1, 0))
    return min(depths, default=0)


def tip_public_status(tip: Tip) -> dict[str, Any]:
    """What a viewer's payment screen needs to show live: no creator-private data."""
    return {
        "id": tip.public_id,
        "status": tip.status,
        "amount_sats": tip.amount_sats,
        "received_sats": tip.received_sats,
        "confirmed_sats": tip.confirmed_sats,
        "confirmations": tip_confirmations(tip),
        "confirmations_required": tip.confirmations_required,
        "paid_late": tip.paid_late,
        "below_minimum": tip.below_minimum,
        "overpaid": tip.overpaid,
        "address": tip.address.address,
        "payment_uri": tip_payment_uri(tip),
        "expires_at": tip.expires_at.isoformat(),
    }


def live_payments(tip: Tip) -> QuerySet:
    return tip.payments.filter(state__in=LIVE_PAYMENT_STATES).order_by("first_seen_at")
