"""The refresh stores per currency the median of the checked answers, and leaves
failing providers alone for a while."""

from __future__ import annotations

import logging
from collections.abc import Collection
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from rates.checks import Limits
from rates.config import RatesConfig
from rates.http import RateProviderError
from rates.models import ProviderCircuit, Rate
from rates.providers import RateProvider, RawQuote
from rates.services import rates_refresh

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 11, 29, 8, 0, tzinfo=UTC)
CONFIG = RatesConfig(
    currencies=("EUR", "USD"),
    limits=Limits(max_age=timedelta(minutes=15), max_jump=Decimal("1.5")),
    breaker_failures=3,
    breaker_cooldown=timedelta(minutes=10),
)


class Provider(RateProvider):
    """A provider answering what the test says, counting how often it was asked."""

    def __init__(self, name: str, **rates: object) -> None:
        super().__init__()
        self.name = name
        self.rates = rates
        self.failing = False
        self.asked = 0

    def fetch(self, wanted: Collection[str]) -> dict[str, RawQuote]:
        self.asked += 1
        if self.failing:
            raise RateProviderError(f"{self.name}: answered HTTP 503")
        return {code: RawQuote(self.rates[code]) for code in wanted if code in self.rates}


def refresh(*providers: RateProvider, now: datetime = NOW):
    return rates_refresh(providers=providers, now=now, config=CONFIG)


def stored(currency: str = "EUR") -> tuple[Decimal, list[str]]:
    row = Rate.objects.get(currency=currency)
    return row.rate, row.sources


@pytest.mark.parametrize(
    ("answers", "median"),
    [
        (["90000"], "90000"),
        (["90000", "90100"], "90050"),
        (["90000", "90300", "90100"], "90100"),
        (["90000", "90300", "90100", "90201"], "90150.5"),
    ],
    ids=["one", "two", "three", "four"],
)
def test_the_rate_is_the_median_of_the_providers_that_answered(answers, median):
    providers = [Provider(f"p{i}", EUR=value) for i, value in enumerate(answers)]

    refresh(*providers)

    assert stored() == (Decimal(median), [p.name for p in providers])
    assert Rate.objects.get(currency="EUR").fetched_at == NOW


def test_a_provider_that_fails_is_left_out_of_the_median():
    failing = Provider("down", EUR="1")
    failing.failing = True

    report = refresh(Provider("a", EUR="90000"), failing, Provider("b", EUR="90200"))

    assert stored() == (Decimal("90100"), ["a", "b"])
    assert report.failed == ["down"]


def test_a_refused_answer_is_logged_and_never_used(caplog):
    caplog.set_level(logging.WARNING, logger="rates.services")

    refresh(Provider("a", EUR="90000"), Provider("b", EUR="0"), Provider("c", EUR="90200"))

    assert stored() == (Decimal("90100"), ["a", "c"])
    assert "refused b EUR: not a positive price: 0" in caplog.text


def test_a_currency_missing_from_an_answer_is_logged(caplog):
    caplog.set_level(logging.WARNING, logger="rates.services")

    refresh(Provider("a", EUR="90000"))

    assert "refused a USD: missing from the answer" in caplog.text
    assert not Rate.objects.filter(currency="USD").exists()


def test_an_absurd_jump_from_one_provider_is_refused_against_the_previous_median():
    refresh(Provider("a", EUR="90000"), Provider("b", EUR="90000"))

    refresh(Provider("a", EUR="90500"), Provider("b", EUR="900000"), now=NOW + timedelta(minutes=5))

    assert stored() == (Decimal("90500"), ["a"])


def test_when_every_answer_is_refused_the_old_rate_stays_and_goes_stale():
    refresh(Provider("a", EUR="90000"))

    refresh(Provider("a", EUR="9000"), now=NOW + timedelta(minutes=5))

    row = Rate.objects.get(currency="EUR")
    assert (row.rate, row.fetched_at) == (Decimal("90000"), NOW)


def test_after_an_outage_longer_than_the_staleness_limit_no_jump_is_refused():
    refresh(Provider("a", EUR="90000"))

    refresh(Provider("a", EUR="150000"), now=NOW + timedelta(minutes=16))

    assert stored() == (Decimal("150000"), ["a"])


def test_each_currency_gets_its_own_median():
    refresh(Provider("a", EUR="90000", USD="97000"), Provider("b", USD="97200"))

    assert stored("EUR") == (Decimal("90000"), ["a"])
    assert stored("USD") == (Decimal("97100"), ["a", "b"])


# --- The circuit breaker ---------------------------------------------------------


def test_after_three_failures_in_a_row_a_provider_is_not_asked_during_the_cooldown():
    flaky = Provider("flaky", EUR="90000")
    flaky.failing = True
    for minute in range(3):
        refresh(flaky, now=NOW + timedelta(minutes=minute))

    report = refresh(flaky, now=NOW + timedelta(minutes=3))

    assert flaky.asked == 3
    assert report.skipped == ["flaky"]
    circuit = ProviderCircuit.objects.get(provider="flaky")
    assert circuit.open_until == NOW + timedelta(minutes=12)
    assert circuit.last_error == "flaky: answered HTTP 503"


def test_two_failures_then_a_success_keep_the_provider_in_use():
    flaky = Provider("flaky", EUR="90000")
    flaky.failing = True
    refresh(flaky, now=NOW)
    refresh(flaky, now=NOW + timedelta(minutes=1))
    flaky.failing = False
    refresh(flaky, now=NOW + timedelta(minutes=2))
    flaky.failing = True
    refresh(flaky, now=NOW + timedelta(minutes=3))

    refresh(flaky, now=NOW + timedelta(minutes=4))

    assert flaky.asked == 5
    assert ProviderCircuit.objects.get(provider="flaky").consecutive_failures == 2


def test_after_the_cooldown_the_provider_is_tried_again_and_a_success_closes_the_circuit():
    flaky = Provider("flaky", EUR="90000")
    flaky.failing = True
    for minute in range(3):
        refresh(flaky, now=NOW + timedelta(minutes=minute))
    flaky.failing = False

    report = refresh(flaky, now=NOW + timedelta(minutes=12))

    assert report.answered == ["flaky"]
    assert stored() == (Decimal("90000"), ["flaky"])
    circuit = ProviderCircuit.objects.get(provider="flaky")
    assert (circuit.consecutive_failures, circuit.open_until) == (0, None)


def test_a_failed_try_after_the_cooldown_opens_the_circuit_again_at_once():
    flaky = Provider("flaky", EUR="90000")
    flaky.failing = True
    for minute in range(3):
        refresh(flaky, now=NOW + timedelta(minutes=minute))

    refresh(flaky, now=NOW + timedelta(minutes=12))
    refresh(flaky, now=NOW + timedelta(minutes=13))

    assert flaky.asked == 4
    assert ProviderCircuit.objects.get(provider="flaky").open_until == NOW + timedelta(minutes=22)
