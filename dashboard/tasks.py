"""Celery tasks of the dashboard: interfaces only; each calls its service."""

from __future__ import annotations

from celery import shared_task
from django.utils import timezone

from dashboard import services


@shared_task(ignore_result=True)
def tip_export_run(export_id: int) -> None:
    services.tip_export_run(export_id=export_id)


@shared_task(ignore_result=True)
def tip_exports_sweep() -> None:
    """Beat: delete expired export files, fail exports whose worker vanished."""
    services.tip_exports_sweep(now=timezone.now())
