"""What a tip's status move sets off in payments: the creator's email."""

from __future__ import annotations

from payments import tasks
from payments.events import tip_event_consumer
from payments.models import TipEvent, TipStatus


@tip_event_consumer("confirmation_email")
def tip_confirmed_email_queue(event: TipEvent) -> None:
    # Queued before the consumer's commit: if the broker refuses, the event stays
    # unconsumed and the sweep queues it again; the task sends once per tip whatever
    # (TipConfirmationEmail).
    if event.to_status == TipStatus.CONFIRMED and event.tip.creator.notify_on_confirmed_tip:
        tasks.tip_confirmed_email.delay(event.tip_id)
