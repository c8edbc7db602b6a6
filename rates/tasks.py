"""Celery tasks: interfaces only; the work is in rates.services."""

from __future__ import annotations

from celery import shared_task
from django.utils import timezone

from .config import RatesConfig, providers_from_settings
from .services import rates_refresh as refresh


@shared_task(ignore_result=True)
def rates_refresh() -> dict[str, list[str] | int]:
    """Ask the configured providers for prices and store their medians (beat, every
    BITCACHE_RATES_REFRESH_SECONDS)."""
    report = refresh(
        providers=providers_from_settings(), now=timezone.now(), config=RatesConfig.from_settings()
    )
    return {
        "answered": report.answered,
        "failed": report.failed,
        "skipped": report.skipped,
        "refused": report.refused,
        "updated": report.updated,
    }
