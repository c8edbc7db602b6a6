"""Celery tasks of the live app: interfaces only."""

from __future__ import annotations

from celery import shared_task
from django.utils import timezone

from live.services import stream_events_prune


@shared_task(ignore_result=True)
def live_streams_prune() -> None:
    """Beat: forget the stream events of tips that can no longer change."""
    stream_events_prune(now=timezone.now())
