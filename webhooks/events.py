"""Which webhook events a tip's status change makes, and what their bodies say."""

from __future__ import annotations

import json
import uuid
from datetime import datetime
from typing import Any

from payments.models import TipStatus
from payments.serializers import CreatorTipSerializer
from webhooks.models import WebhookEvent

# How far a tip has got: a move down this scale is a reversal (RBF, drop or reorg).
_PROGRESS = {
    TipStatus.AWAITING_PAYMENT: 0,
    TipStatus.EXPIRED: 0,
    TipStatus.IN_MEMPOOL: 1,
    TipStatus.CONFIRMED: 2,
}


def events_for(previous: str, current: str) -> list[WebhookEvent]:
    """tip.detected when a payment is first seen (also when it arrives straight in a block),
    tip.confirmed when the tip is confirmed, tip.reverted when it goes back."""
    before, after = _PROGRESS[TipStatus(previous)], _PROGRESS[TipStatus(current)]
    events = []
    if before == 0 and after > 0:
        events.append(WebhookEvent.TIP_DETECTED)
    if current == TipStatus.CONFIRMED:
        events.append(WebhookEvent.TIP_CONFIRMED)
    if after < before:
        events.append(WebhookEvent.TIP_REVERTED)
    return events


def event_payload(
    *,
    event_id: uuid.UUID,
    event_type: str,
    tip_data: dict[str, Any],
    previous: str,
    created_at: datetime,
) -> dict[str, Any]:
    """`tip_data`: the tip as its creator saw it when the status moved (TipEvent.tip_data)."""
    return {
        "id": str(event_id),
        "type": event_type,
        "created_at": created_at.isoformat(),
        "data": {"previous_status": previous, "tip": tip_data},
    }


def unlock_paid_payload(*, event_id: uuid.UUID, grant, created_at: datetime) -> dict[str, Any]:
    """The sale of a paid unlock. Never the sold link, nor the buyer's receipt code."""
    purchase = grant.purchase
    item = purchase.unlock_item
    return {
        "id": str(event_id),
        "type": WebhookEvent.UNLOCK_PAID.value,
        "created_at": created_at.isoformat(),
        "data": {
            "item": {"id": item.public_id, "title": item.title, "price_sats": item.price_sats},
            "purchase": CreatorTipSerializer(purchase).data,
            "grant": {"id": grant.public_id, "created_at": grant.created_at.isoformat()},
        },
    }


def payload_body(payload: dict[str, Any]) -> bytes:
    """The exact bytes posted (and signed): compact JSON, UTF-8."""
    return json.dumps(payload, separators=(",", ":"), ensure_ascii=False).encode()
