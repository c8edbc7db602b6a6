"""What the overlays hear: each tip event (the "overlays" outbox consumer), and hides."""

from __future__ import annotations

from django.dispatch import receiver

from moderation.signals import tip_message_hidden
from overlays.services import overlay_alert_retract, overlay_tip_event
from payments.events import tip_event_consumer
from payments.models import Tip, TipEvent


@tip_event_consumer("overlays")
def tip_event_overlays(event: TipEvent) -> None:
    overlay_tip_event(event)


@receiver(tip_message_hidden)
def tip_message_hidden_overlays(*, tip: Tip, **kwargs: object) -> None:
    overlay_alert_retract(tip=tip)
