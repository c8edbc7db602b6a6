"""What a tip's status move sets off here: one public stream event per TipEvent."""

from __future__ import annotations

from live.services import stream_event_append
from payments.events import tip_event_consumer
from payments.models import TipEvent


@tip_event_consumer("live")
def tip_event_live(event: TipEvent) -> None:
    stream_event_append(event)
