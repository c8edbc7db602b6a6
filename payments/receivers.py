"""What a tip's status move sets off in payments: the creator's emails."""

from __future__ import annotations

from payments import tasks
from payments.events import tip_event_consumer
from payments.lightning.zaps import zap_receipt_record
from payments.models import TAKEN_BACK_STATUSES, LightningInvoice, TipEvent, TipStatus


@tip_event_consumer("confirmation_email")
def tip_confirmed_email_queue(event: TipEvent) -> None:
    # Queued before the consumer's commit: if the broker refuses, the event stays
    # unconsumed and the sweep queues it again; the task sends once per tip whatever
    # (TipConfirmationEmail).
    if event.to_status == TipStatus.CONFIRMED and event.tip.creator.notify_on_confirmed_tip:
        tasks.tip_confirmed_email.delay(event.tip_id)


@tip_event_consumer("reversal_email")
def tip_reversed_email_queue(event: TipEvent) -> None:
    # The TipReversal was committed with the event (payments.events.tip_event_record);
    # a broker that refuses leaves the event for the sweep, and the task emails each
    # reversal once (TipReversal.emailed_at). Sent whatever the confirmation-email setting.
    if event.from_status == TipStatus.CONFIRMED and event.to_status in TAKEN_BACK_STATUSES:
        tasks.tip_reversed_email.delay(event.tip_id)


@tip_event_consumer("zap_receipt")
def zap_receipt_sign(event: TipEvent) -> None:
    # A paid zap's receipt is signed in this transaction and published after its commit.
    if event.to_status == TipStatus.CONFIRMED:
        invoice = LightningInvoice.objects.filter(tip_id=event.tip_id).first()
        if invoice is not None:
            zap_receipt_record(invoice=invoice)
