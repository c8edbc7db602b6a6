"""What a tip's status change sets off in payments: the creator's email."""

from __future__ import annotations

from django.db import transaction
from django.dispatch import receiver

from payments import tasks
from payments.models import Tip, TipStatus
from payments.signals import tip_status_changed


@receiver(tip_status_changed)
def tip_status_changed_email(*, tip: Tip, previous: str, **kwargs) -> None:
    if tip.status == TipStatus.CONFIRMED and tip.creator.notify_on_confirmed_tip:
        transaction.on_commit(lambda: tasks.tip_confirmed_email.delay(tip.pk))
