"""The payment screen a viewer watches, for a tip or anything paid like one (an unlock's
purchase): its context for the payment partials, and how a refusal answers."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from payments.models import Rail, Tip, TipStatus
from payments.pricing import fiat_then
from payments.qr import qr_svg
from payments.selectors import tip_public_message
from payments.services import TipRefused


def payment_context(tip: Tip, state: dict[str, Any]) -> dict[str, Any]:
    """What the payment partials (widgets/_progress.html, widgets/_pay.html) show, for a
    tip or for anything paid like one (an unlocks purchase)."""
    qr = ""
    if state["status"] != TipStatus.EXPIRED:
        qr = qr_svg(qr_uri(state), title=_("QR code of the payment request"))
    # A message hidden or held for review stays off every public page.
    message = tip_public_message(tip) or ""
    return {
        "tip": tip,
        "creator": tip.creator,
        "state": state,
        "qr": qr,
        "message": message,
        # At the rate the tip was priced at: what the viewer was shown when they chose it.
        "amount_fiat": fiat_then(tip.amount_sats, tip.rate_snapshot),
    }


def qr_uri(state: dict[str, Any]) -> str:
    """The payment request as the QR code carries it. Addresses (bech32) and invoices are
    case-insensitive: in upper case they fit QR's denser alphanumeric mode."""
    uri = str(state["payment_uri"])
    if state.get("rail") == Rail.LIGHTNING:
        return uri.upper()
    bolt11 = state.get("bolt11") or ""
    if bolt11 and state.get("address"):
        address = str(state["address"])
        return uri.replace(f"bitcoin:{address}", f"bitcoin:{address.upper()}", 1).replace(
            f"lightning={bolt11}", f"lightning={bolt11.upper()}", 1
        )
    return uri


def refusal_status(refusal: TipRefused, *, otherwise: int) -> int:
    # "busy": the creator has too many unpaid tips open; coming back later will work.
    return 429 if refusal.code == "busy" else otherwise
