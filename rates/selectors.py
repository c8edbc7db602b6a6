"""Reading rates. Never calls a provider: pages get what the last refresh stored."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.utils import timezone

from .models import Rate
from .snapshot import RateSnapshot


def rate_now(currency: str, *, now: datetime | None = None) -> RateSnapshot | None:
    """The current price of a bitcoin in `currency`, or None when no fresh one exists:
    then the page shows sats only and says the fiat price is unavailable."""
    row = Rate.objects.filter(currency=currency.upper()).first()
    if row is None:
        return None
    max_age = timedelta(seconds=settings.BITCACHE_RATES_MAX_AGE_SECONDS)
    if (now or timezone.now()) - row.fetched_at > max_age:
        return None
    return RateSnapshot(
        currency=row.currency,
        rate=row.rate,
        sources=tuple(row.sources),
        fetched_at=row.fetched_at,
    )
