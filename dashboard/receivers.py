"""What wakes the open dashboards: a TipEvent of their creator, once it is committed."""

from __future__ import annotations

from functools import partial

from django.db import transaction
from django.db.models.signals import post_save
from django.dispatch import receiver

from dashboard.stream import dashboard_channel
from live.fanout import stream_publish
from payments.models import TipEvent


@receiver(post_save, sender=TipEvent, dispatch_uid="dashboard_tip_event_wake")
def tip_event_wake_dashboards(*, instance: TipEvent, created: bool, **kwargs: object) -> None:
    # Written in the status move's own transaction (payments.events.tip_event_record): the
    # open dashboards read it as soon as that commits, without waiting for the outbox
    # dispatch. `instance.tip` is the row tip_event_record just loaded: no query.
    if created:
        channel = dashboard_channel(instance.tip.creator_id)
        transaction.on_commit(partial(stream_publish, channel), robust=True)
