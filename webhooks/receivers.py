"""What a tip's status change sets off here: one delivery per event and endpoint."""

from __future__ import annotations

from django.dispatch import receiver
from django.utils import timezone

from payments.models import Tip
from payments.signals import tip_status_changed
from webhooks.services import webhook_events_emit


@receiver(tip_status_changed)
def tip_status_changed_webhooks(*, tip: Tip, previous: str, **kwargs) -> None:
    webhook_events_emit(tip=tip, previous=previous, now=timezone.now())
