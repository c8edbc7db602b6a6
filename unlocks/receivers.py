"""Purchases unlock as their payments are credited."""

from __future__ import annotations

from django.dispatch import receiver
from django.utils import timezone

from payments.models import Tip
from payments.signals import tip_credited
from unlocks.models import UnlockGrant
from unlocks.services import grant_ensure
from unlocks.signals import unlock_paid
from webhooks.services import webhook_unlock_paid_emit


@receiver(tip_credited)
def purchase_credited(*, tip: Tip, **kwargs) -> None:
    if tip.unlock_item_id is not None:
        grant_ensure(purchase=tip)


@receiver(unlock_paid)
def unlock_paid_notify(*, grant: UnlockGrant, **kwargs) -> None:
    webhook_unlock_paid_emit(grant=grant, now=timezone.now())
