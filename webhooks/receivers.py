"""What a tip's status move sets off here: one delivery per event and endpoint."""

from __future__ import annotations

from payments.events import tip_event_consumer
from payments.models import TipEvent
from webhooks.services import webhook_events_emit


@tip_event_consumer("webhooks")
def tip_event_webhooks(event: TipEvent) -> None:
    webhook_events_emit(event=event)
