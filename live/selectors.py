"""Reads of the live app."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from live.models import TipStreamEvent
from live.services import PUBLIC_FIELDS
from payments.models import Tip, TipStatus
from payments.selectors import tip_get_public, tip_public_status

# "Can no longer change", as the payment screen means it:
# - confirmed with FINAL_CONFIRMATIONS or more: a reorg deeper than that is not a
#   risk a tip page watches for (the usual 6-block rule);
# - unpaid (awaiting payment or expired) after its monitoring window (watch_until):
#   the address is no longer watched for this tip, so nothing more is credited.
# A payment in the mempool, or confirmed less deeply, can still move: it is watched.
FINAL_CONFIRMATIONS = 6


def tip_stream_final(state: dict[str, Any], tip: Tip, *, now: datetime) -> bool:
    if state["status"] == TipStatus.CONFIRMED:
        return int(state["confirmations"]) >= FINAL_CONFIRMATIONS
    if state["status"] == TipStatus.IN_MEMPOOL:
        return False
    return now >= tip.watch_until


def stream_last_event_id(tip: Tip) -> int:
    """The id of `tip`'s latest stream event (0 if none): where a new page resumes from."""
    last = TipStreamEvent.objects.filter(tip=tip).order_by("-id").values_list("id", flat=True)
    return last.first() or 0


@dataclass
class StreamRead:
    events: list[TipStreamEvent] = field(default_factory=list)
    state: dict[str, Any] = field(default_factory=dict)
    final: bool = False


def stream_read(tip_id: str, *, after: int, now: datetime) -> StreamRead | None:
    """What a connection to tip `tip_id` has not sent yet: the events after `after`, the
    tip's public state now, and whether it can still change. None if there is no such tip."""
    tip = tip_get_public(tip_id)
    if tip is None:
        return None
    events = list(TipStreamEvent.objects.filter(tip=tip, id__gt=after).order_by("id"))
    public = tip_public_status(tip)
    state = {"id": public["id"], **{key: public[key] for key in PUBLIC_FIELDS}}
    return StreamRead(events, state, tip_stream_final(state, tip, now=now))
