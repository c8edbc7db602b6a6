"""Writes of the live app: each tip's public stream."""

from __future__ import annotations

from datetime import datetime, timedelta
from functools import partial

from django.db import transaction

from live.fanout import stream_publish
from live.models import TipStreamEvent
from payments.models import TAKEN_BACK_STATUSES, TipEvent, TipStatus
from payments.selectors import viewer_status

# What a stream event may carry: fields of payments.selectors.tip_public_status, which
# anyone with the tip's link sees on its payment screen. Never the name, message,
# address path, txids or anything else of the creator's.
PUBLIC_FIELDS = (
    "status",
    "received_sats",
    "confirmed_sats",
    "confirmations",
    "confirmations_required",
    "paid_late",
    "below_minimum",
    "overpaid",
)

# How long a final tip's events are kept after its monitoring window ended.
KEEP_AFTER_WINDOW = timedelta(days=1)


def stream_event_append(event: TipEvent) -> TipStreamEvent:
    """Append the public side of `event` to its tip's stream; its connections are woken
    once the transaction commits. Run once per TipEvent (the "live" outbox consumer)."""
    tip = event.tip
    snapshot = event.tip_data or {}
    data: dict[str, object] = {key: snapshot[key] for key in PUBLIC_FIELDS if key in snapshot}
    data.update(
        id=tip.public_id,
        status=viewer_status(event.to_status, expires_at=tip.expires_at, at=event.created_at),
        from_status=event.from_status,
        # The network took a confirmed payment back (a reorg, a replacement, a drop).
        taken_back=event.from_status == TipStatus.CONFIRMED
        and event.to_status in TAKEN_BACK_STATUSES,
    )
    created = TipStreamEvent.objects.create(tip=tip, data=data, created_at=event.created_at)
    transaction.on_commit(partial(stream_publish, tip.public_id), robust=True)
    return created


def stream_events_prune(*, now: datetime) -> int:
    """Forget the events of tips whose monitoring window ended a while ago: nothing
    can change them any more. How many were deleted."""
    deleted, _ = TipStreamEvent.objects.filter(
        tip__watch_until__lt=now - KEEP_AFTER_WINDOW
    ).delete()
    return deleted
