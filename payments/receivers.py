"""What a tip's status change sets off: webhook deliveries, and the creator's email."""

from __future__ import annotations

from django.db import transaction
from django.dispatch import receiver
from django.utils import timezone

from payments import tasks
from payments.models import Tip, TipStatus
from payments.signals import tip_status_changed
from payments.webhooks.services import webhook_events_emit


@receiver(tip_status_changed)
def tip_status_changed_notify(*, tip: Tip, previous: str, **kwargs) -> None:
    webhook_events_emit(tip=tip, previous=previous, now=timezone.now())
    if tip.status == TipStatus.CONFIRMED and tip.creator.notify_on_confirmed_tip:
        transaction.on_commit(lambda: tasks.tip_confirmed_email.delay(tip.pk))
