"""Pages read the stored rate; with none fresh, the fiat price is unavailable."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from rates.models import Rate
from rates.selectors import rate_now
from rates.snapshot import RateSnapshot

pytestmark = pytest.mark.django_db

FETCHED = datetime(2026, 11, 29, 8, 0, tzinfo=UTC)


@pytest.fixture
def eur():
    return Rate.objects.create(
        currency="EUR", rate=Decimal("90100"), sources=["bitstamp", "kraken"], fetched_at=FETCHED
    )


def test_a_fresh_rate_is_a_snapshot_with_its_sources(eur):
    assert rate_now("eur", now=FETCHED + timedelta(minutes=14)) == RateSnapshot(
        currency="EUR",
        rate=Decimal("90100"),
        sources=("bitstamp", "kraken"),
        fetched_at=FETCHED,
    )


def test_no_rate_is_given_once_it_is_older_than_the_staleness_limit(eur, settings):
    settings.BITCACHE_RATES_MAX_AGE_SECONDS = 900

    assert rate_now("EUR", now=FETCHED + timedelta(minutes=15, seconds=1)) is None


def test_no_rate_is_given_for_a_currency_never_priced(eur):
    assert rate_now("USD", now=FETCHED) is None


def test_no_rate_is_given_before_the_first_refresh():
    assert rate_now("EUR") is None
