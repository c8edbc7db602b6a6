from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from btc.bip21 import bip21_uri
from btc.money import format_btc, sats_to_btc

ADDRESS = "bc1qcr8te4kr609gcawutmrza0j4xv80jy8z306fyu"


def test_it_writes_the_amount_in_btc_without_rounding():
    assert bip21_uri(ADDRESS, 1) == f"bitcoin:{ADDRESS}?amount=0.00000001"
    assert bip21_uri(ADDRESS, 150_000) == f"bitcoin:{ADDRESS}?amount=0.0015"
    assert bip21_uri(ADDRESS, 2_100_000_000_000_000) == f"bitcoin:{ADDRESS}?amount=21000000"


def test_it_percent_encodes_label_and_message():
    uri = bip21_uri(ADDRESS, 1000, label="Tip for @alice & co", message="Merci! 100%")

    assert uri == (
        f"bitcoin:{ADDRESS}?amount=0.00001&label=Tip%20for%20%40alice%20%26%20co"
        "&message=Merci%21%20100%25"
    )


def test_it_leaves_out_what_is_not_given():
    assert bip21_uri(ADDRESS) == f"bitcoin:{ADDRESS}"


@given(st.integers(min_value=0, max_value=2_100_000_000_000_000))
def test_btc_formatting_round_trips_every_amount_exactly(sats):
    text = format_btc(sats)

    assert "e" not in text.lower()
    assert Decimal(text) * 100_000_000 == sats
    assert sats_to_btc(sats) == Decimal(sats) / 100_000_000
