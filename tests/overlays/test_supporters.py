"""Top supporters: one row per supporter, whatever the case or spacing of the name typed."""

from __future__ import annotations

import pytest
from django.utils import timezone

from overlays.selectors import supporters_state
from overlays.services import overlay_settings_update
from payments.models import Tip
from payments.services import tip_create
from tests.overlays.test_goal_fiat import rate_moves, rates_go_stale

pytestmark = pytest.mark.django_db


def test_top_supporters_group_a_name_typed_with_other_case_or_spaces(creator, overlay, pay):
    overlay_settings_update(overlay=overlay, supporters_mode="top")
    for name, sats in [("Bob Smith", 3000), ("bob  smith", 4000), ("Carol", 5000)]:
        pay(tip_create(creator=creator, amount_sats=sats, name=name, name_public=True))

    rows = supporters_state(overlay, now=timezone.now())["rows"]

    assert [row["amount_sats"] for row in rows] == [7000, 5000]
    assert rows[0]["name"].lower().split() == ["bob", "smith"]
    assert {key: rows[1][key] for key in ("name", "amount_sats")} == {
        "name": "Carol",
        "amount_sats": 5000,
    }


@pytest.fixture
def in_euros(creator, overlay, static_rates):
    creator.display_currency = "EUR"  # 1 BTC = 90,000 EUR
    creator.save()
    return overlay


def three_tips(creator, pay) -> None:
    pay(tip_create(creator=creator, amount_sats=9000, name="Bob", name_public=True))
    rate_moves("EUR", "180000")
    pay(tip_create(creator=creator, amount_sats=5000, name="bob", name_public=True))
    # Made while the creator priced in dollars: worth today's euros.
    dollars = tip_create(creator=creator, amount_sats=1000, name="Carol", name_public=True)
    Tip.objects.filter(pk=dollars.pk).update(rate_currency="USD", rate=100000)
    pay(dollars)


def test_supporters_show_each_tips_euros_at_the_rate_it_was_made_at(creator, in_euros, pay):
    three_tips(creator, pay)

    latest = supporters_state(in_euros, now=timezone.now())
    overlay_settings_update(overlay=in_euros, supporters_mode="top")
    top = supporters_state(in_euros, now=timezone.now())

    assert latest["currency"] == "EUR"
    assert [(row["amount_sats"], row["amount_fiat"]) for row in latest["rows"]] == [
        (1000, "1.80"),  # at today's 180,000
        (5000, "9.00"),  # at 180,000, as made
        (9000, "8.10"),  # at 90,000, as made
    ]
    assert [(row["amount_sats"], row["amount_fiat"]) for row in top["rows"]] == [
        (14000, "17.10"),
        (1000, "1.80"),
    ]


def test_without_a_fresh_rate_only_tips_made_at_a_rate_show_euros(creator, in_euros, pay):
    three_tips(creator, pay)
    rates_go_stale()

    rows = supporters_state(in_euros, now=timezone.now())["rows"]

    assert [row["amount_fiat"] for row in rows] == [None, "9.00", "8.10"]
