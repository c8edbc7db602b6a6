"""Beat's refresh task fills the rate table from the configured providers."""

from __future__ import annotations

import time
from decimal import Decimal

import pytest
from celery.signals import beat_init

from bitcache.celery_app import app as celery_app
from rates.models import Rate
from rates.selectors import rate_now
from rates.tasks import rates_refresh
from tests.chain.servers import LocalServer

from .providers import ProvidersApp

pytestmark = pytest.mark.django_db


def test_the_static_default_fills_the_table_without_a_network(settings):
    assert settings.BITCACHE_RATES == ["static"]

    rates_refresh.delay()

    snapshot = rate_now("EUR")
    assert snapshot is not None
    assert (snapshot.rate, snapshot.sources) == (Decimal("90000"), ("static",))
    assert set(Rate.objects.values_list("currency", flat=True)) == set(
        settings.BITCACHE_RATES_STATIC
    )


def test_real_providers_give_their_median_per_currency(settings):
    app = ProvidersApp()
    # Recorded answers, stamped now, as the providers would stamp them.
    stamp = int(time.time())
    for pair in ("btcusd", "btceur", "btcgbp"):
        app.answers[f"bitstamp_{pair}"]["timestamp"] = str(stamp)
    app.answers["coingecko"]["bitcoin"]["last_updated_at"] = stamp
    with LocalServer(app) as server:
        settings.BITCACHE_RATES = ["kraken", "bitstamp", "coinbase", "coingecko"]
        settings.BITCACHE_RATES_BASE_URLS = dict.fromkeys(settings.BITCACHE_RATES, server.url)
        settings.BITCACHE_RATES_CURRENCIES = ["USD", "EUR", "KWD"]

        rates_refresh.delay()

    usd, eur, kwd = (rate_now(code) for code in ("USD", "EUR", "KWD"))
    assert usd is not None and eur is not None and kwd is not None
    # USD: 97110 (bitstamp), 97115.05 (coinbase), 97120.1 (kraken), 97131 (coingecko).
    assert usd.rate == Decimal("97117.575")
    assert usd.sources == ("bitstamp", "coinbase", "coingecko", "kraken")
    assert eur.rate == Decimal("92025.21")  # 92010.5, 92020.42, 92030, 92041
    assert (kwd.rate, kwd.sources) == (Decimal("29867.6075"), ("coinbase",))


def test_a_provider_answer_stamped_before_the_staleness_limit_is_not_used(settings):
    app = ProvidersApp()  # Bitstamp's recorded answers are stamped November 2024
    with LocalServer(app) as server:
        settings.BITCACHE_RATES = ["bitstamp", "coinbase"]
        settings.BITCACHE_RATES_BASE_URLS = dict.fromkeys(settings.BITCACHE_RATES, server.url)
        settings.BITCACHE_RATES_CURRENCIES = ["USD"]

        rates_refresh.delay()

    usd = rate_now("USD")
    assert usd is not None
    assert (usd.rate, usd.sources) == (Decimal("97115.05"), ("coinbase",))


def test_beat_refreshes_rates_on_the_celery_queue(settings):
    entry = settings.CELERY_BEAT_SCHEDULE["refresh-rates"]

    assert entry["task"] == rates_refresh.name == "rates.tasks.rates_refresh"
    assert entry["schedule"] == settings.BITCACHE_RATES_REFRESH_SECONDS
    assert celery_app.amqp.router.route({}, rates_refresh.name)["queue"].name == "celery"


def test_rates_are_refreshed_as_soon_as_beat_starts():
    beat_init.send(sender=None)

    assert rate_now("EUR") is not None
