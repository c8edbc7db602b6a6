"""Sats and fiat convert at a snapshot, in Decimal, rounded as docs say."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from rates.money import fiat_to_sats, minor_unit, sats_to_fiat
from rates.snapshot import RateSnapshot
from web.currencies import CURRENCIES, currency

AT = datetime(2026, 11, 29, tzinfo=UTC)


def snapshot(code: str, rate: str) -> RateSnapshot:
    return RateSnapshot(code, Decimal(rate), ("static",), AT)


EUR = snapshot("EUR", "90000")


def test_at_least_thirty_iso_currencies_are_known_with_their_minor_units():
    assert len(CURRENCIES) >= 30
    assert (currency("eur").minor_units, currency("JPY").minor_units) == (2, 0)
    assert currency("KWD").minor_units == 3
    assert all(len(code) == 3 and code.isupper() for code in CURRENCIES)


def test_sats_become_fiat_rounded_to_the_minor_unit():
    assert sats_to_fiat(10_000, EUR) == Decimal("9.00")
    assert sats_to_fiat(1_234, snapshot("JPY", "15000000")) == Decimal("185")
    assert sats_to_fiat(1_234, snapshot("KWD", "30000")) == Decimal("0.370")


def test_half_a_cent_rounds_up():
    # 1 sat at 500 000 EUR/BTC is exactly half a cent.
    assert sats_to_fiat(1, snapshot("EUR", "500000")) == Decimal("0.01")
    assert sats_to_fiat(3, snapshot("EUR", "500000")) == Decimal("0.02")


def test_fiat_becomes_whole_sats_rounded_half_up():
    assert fiat_to_sats(Decimal("5"), EUR) == 5_556  # 5555.55...
    assert fiat_to_sats(Decimal("0.0045"), EUR) == 5  # 5.0


def test_no_float_enters_a_conversion():
    with pytest.raises(TypeError):
        fiat_to_sats(5.0, EUR)
    with pytest.raises(TypeError):
        sats_to_fiat(10.5, EUR)


@given(
    cents=st.integers(min_value=1, max_value=10**9),
    # Up to where one sat is worth half a cent.
    rate=st.decimals(min_value=1000, max_value=Decimal("499999.99"), places=2),
)
def test_a_fiat_amount_converted_to_sats_converts_back_to_itself(cents, rate):
    at = snapshot("EUR", str(rate))
    amount = Decimal(cents) * minor_unit("EUR")

    sats = fiat_to_sats(amount, at)

    assert sats_to_fiat(sats, at) == amount
