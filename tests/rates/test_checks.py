"""A provider's answer is used only if it is a plausible, fresh price."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from rates.checks import Limits, Refused, checked_rate
from rates.providers import RawQuote

NOW = datetime(2024, 11, 29, 6, 0, tzinfo=UTC)
LIMITS = Limits(max_age=timedelta(minutes=15), max_jump=Decimal("1.5"))


def check(value, timestamp=None, previous=None):
    return checked_rate(RawQuote(value, timestamp), now=NOW, previous=previous, limits=LIMITS)


def test_a_plausible_price_is_used_exactly():
    assert check("97120.10000") == Decimal("97120.10000")
    assert check(97131) == Decimal(97131)
    assert check(Decimal("97131.17"), timestamp=int(NOW.timestamp()) - 60) == Decimal("97131.17")


def test_a_missing_currency_is_refused():
    with pytest.raises(Refused, match="missing"):
        checked_rate(None, now=NOW, previous=None, limits=LIMITS)


@pytest.mark.parametrize("value", ["0", 0, "0.00000000", "-97000", Decimal("-1")])
def test_zero_and_negative_prices_are_refused(value):
    with pytest.raises(Refused, match="not a positive price"):
        check(value)


@pytest.mark.parametrize("value", ["", "n/a", "NaN", "Infinity", None, True, [97000], 97000.5])
def test_what_is_not_a_number_is_refused(value):
    with pytest.raises(Refused, match="not a number"):
        check(value)


@pytest.mark.parametrize("value", ["1e999999999999", "10000000000000000", "0.001"])
def test_a_price_out_of_any_plausible_range_is_refused(value):
    with pytest.raises(Refused, match="not a plausible price"):
        check(value)


def test_a_provider_timestamp_older_than_the_staleness_limit_is_refused():
    sixteen_minutes_ago = int((NOW - timedelta(minutes=16)).timestamp())

    with pytest.raises(Refused, match="stale"):
        check("97000", timestamp=str(sixteen_minutes_ago))
    assert check("97000", timestamp=str(sixteen_minutes_ago + 120)) == Decimal(97000)


@pytest.mark.parametrize("timestamp", ["yesterday", "1e3", 10**30, True])
def test_an_unreadable_timestamp_is_refused(timestamp):
    with pytest.raises(Refused, match="unreadable timestamp"):
        check("97000", timestamp=timestamp)


@pytest.mark.parametrize("value", ["150001", "64666"])
def test_an_absurd_jump_against_the_previous_median_is_refused(value):
    with pytest.raises(Refused, match="absurd jump"):
        check(value, previous=Decimal(100000))


@pytest.mark.parametrize("value", ["150000", "66667", "101000"])
def test_a_move_within_the_jump_factor_is_used(value):
    assert check(value, previous=Decimal(100000)) == Decimal(value)
