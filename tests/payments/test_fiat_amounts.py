"""Tips priced in fiat: a fiat minimum converted at the rate of the moment, amounts given
in fiat, and the rate snapshot each tip keeps. Static rates: 1 BTC = 90,000 EUR."""

from __future__ import annotations

from decimal import Decimal

import pytest

from payments.models import Tip
from payments.pricing import creator_pricing, parse_fiat
from payments.services import TipRefused
from rates.models import Rate
from web.fiat import FiatAmount, format_fiat
from widgets.models import Widget

NBSP, NNBSP = "\xa0", "\u202f"


@pytest.fixture
def euro_creator(creator, static_rates):
    creator.display_currency = "EUR"
    creator.min_tip_fiat = Decimal("2.00")
    creator.save()
    return creator


def euros(text: str) -> FiatAmount:
    return FiatAmount(Decimal(text), "EUR")


def test_a_fiat_minimum_converts_at_the_rate_of_the_moment(euro_creator, make_tip):
    with pytest.raises(TipRefused) as refused:
        make_tip(2221)
    tip = make_tip(2222)  # 2 EUR at 90,000 EUR per BTC

    assert refused.value.code == "amount_below_minimum"
    assert tip.minimum_sats == 2222


def test_the_sats_minimum_stays_the_floor_under_a_lower_fiat_minimum(euro_creator, make_tip):
    euro_creator.min_tip_fiat = Decimal("0.10")  # 111 sats
    euro_creator.save()

    with pytest.raises(TipRefused):
        make_tip(999)

    assert make_tip(1000).minimum_sats == 1000


def test_without_a_fresh_rate_the_sats_minimum_applies(euro_creator, make_tip):
    Rate.objects.all().delete()

    tip = make_tip(1000)

    assert tip.minimum_sats == 1000
    assert tip.rate_snapshot is None
    assert tip.rate_currency == ""


def test_a_widget_minimum_higher_than_the_fiat_one_wins(euro_creator, make_tip):
    widget = Widget.objects.create(creator=euro_creator, label="Video", min_tip_sats=5000)

    assert make_tip(5000, widget=widget).minimum_sats == 5000


def test_a_tip_keeps_the_rate_it_was_made_at(euro_creator, make_tip):
    tip = make_tip(3000)
    Rate.objects.filter(currency="EUR").update(rate=Decimal("120000"))

    tip.refresh_from_db()
    snapshot = tip.rate_snapshot
    assert snapshot is not None
    assert (snapshot.currency, snapshot.rate, snapshot.sources) == ("EUR", 90000, ("static",))
    assert tip.rate_at is not None


def test_it_accepts_an_amount_in_fiat_and_stores_it_in_sats(euro_creator, make_tip):
    tip = make_tip(None, amount_fiat=euros("3.00"))

    assert tip.amount_sats == 3333
    assert tip.rate_currency == "EUR"


def test_it_refuses_a_fiat_amount_below_the_minimum_in_that_currency(euro_creator, make_tip):
    with pytest.raises(TipRefused) as refused:
        make_tip(None, amount_fiat=euros("1.50"))

    assert refused.value.code == "amount_below_minimum"
    assert refused.value.message == "The minimum tip is €2.00 (2,222 sats)."
    assert not Tip.objects.exists()


def test_it_converts_another_currency_at_its_own_rate_and_keeps_the_creators(
    euro_creator, make_tip
):
    tip = make_tip(None, amount_fiat=FiatAmount(Decimal("5"), "USD"))  # 100,000 USD per BTC

    assert tip.amount_sats == 5000
    assert tip.rate_currency == "EUR"


def test_it_refuses_a_fiat_amount_when_no_fresh_rate_exists(euro_creator, make_tip):
    Rate.objects.all().delete()

    with pytest.raises(TipRefused) as refused:
        make_tip(None, amount_fiat=euros("3.00"))

    assert refused.value.code == "amount_fiat_unavailable"
    assert "please enter the amount in sats" in refused.value.message


def test_the_minimum_shown_in_fiat_is_rounded_up_so_it_is_always_enough(creator, static_rates):
    creator.display_currency = "EUR"
    creator.min_tip_sats = 1001  # 0.9009 EUR
    creator.save()
    pricing = creator_pricing(creator)

    shown = pricing.fiat_covering(1001)

    assert shown == euros("0.91")
    assert pricing.sats(shown.amount) >= 1001
    assert pricing.fiat(1001) == euros("0.90")


@pytest.mark.parametrize(
    ("language", "amount", "code", "written"),
    [
        ("fr", "1234.56", "EUR", f"1{NNBSP}234,56{NBSP}€"),
        ("en", "1234.56", "EUR", "€1,234.56"),
        ("de", "2", "EUR", f"2,00{NBSP}€"),
        ("en", "1500", "JPY", "¥1,500"),
        ("en", "1.5", "USD", "$1.50"),
    ],
)
def test_fiat_is_written_the_way_the_readers_language_writes_it(language, amount, code, written):
    assert format_fiat(Decimal(amount), code, language) == written


@pytest.mark.parametrize(
    ("text", "code", "parsed"),
    [
        ("5", "EUR", Decimal("5")),
        ("5.5", "EUR", Decimal("5.5")),
        ("5,50", "EUR", Decimal("5.50")),
        (" 1 000 ", "JPY", Decimal("1000")),
        ("5.001", "EUR", None),
        ("5.5", "JPY", None),
        ("0", "EUR", None),
        ("-3", "EUR", None),
        ("NaN", "EUR", None),
        ("Infinity", "EUR", None),
        ("9" * 60, "EUR", None),
        ("5", "XXX", None),
        ("five", "EUR", None),
    ],
)
def test_it_reads_fiat_amounts_within_the_currencys_digits(text, code, parsed):
    assert parse_fiat(text, code) == parsed
