"""A goal in fiat and fiat in alerts: each tip counts at the rate it was made at, and with
no fresh rate the figures say so instead of showing a wrong one."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from overlays.models import OverlayEvent, OverlayEventKind
from overlays.selectors import goal_state
from overlays.services import overlay_settings_update, overlay_test_alert
from payments.models import Tip
from payments.services import tip_create
from rates.models import Rate

pytestmark = pytest.mark.django_db


@pytest.fixture
def euro_goal(creator, overlay, static_rates):
    """Alice prices in euros (1 BTC = 90,000 EUR) and aims at 50 EUR."""
    creator.display_currency = "EUR"
    creator.save()
    return overlay_settings_update(
        overlay=overlay,
        goal_title="New microphone",
        goal_target_fiat=Decimal("50"),
        goal_currency="EUR",
    )


def rate_moves(currency: str, rate: str) -> None:
    Rate.objects.filter(currency=currency).update(rate=Decimal(rate), fetched_at=timezone.now())


def rates_go_stale() -> None:
    Rate.objects.update(fetched_at=timezone.now() - timedelta(days=1))


def test_a_fiat_goal_counts_each_tip_at_the_rate_it_was_made_at(creator, euro_goal, pay):
    pay(tip_create(creator=creator, amount_sats=9000))  # at 90,000: 8.10 EUR
    rate_moves("EUR", "180000")
    pay(tip_create(creator=creator, amount_sats=5000))  # at 180,000: 9.00 EUR
    # A tip made while Alice priced in dollars: counted at today's euro rate.
    dollars = tip_create(creator=creator, amount_sats=1000)
    Tip.objects.filter(pk=dollars.pk).update(rate_currency="USD", rate=Decimal("100000"))
    pay(dollars)  # 1.80 EUR at 180,000

    state = goal_state(euro_goal, now=timezone.now())

    assert state["unit"] == "fiat"
    assert state["currency"] == "EUR"
    assert state["raised_fiat"] == "18.90"
    assert state["target_fiat"] == "50.00"
    assert state["percent"] == 37
    assert state["raised_sats"] == 15_000  # sats always shown too


def test_without_a_fresh_rate_a_fiat_goal_shows_sats_and_no_fiat_figure(creator, euro_goal, pay):
    rates_go_stale()
    pay(tip_create(creator=creator, amount_sats=9000))  # made without a rate: no snapshot

    state = goal_state(euro_goal, now=timezone.now())

    assert state["raised_sats"] == 9000
    assert state["raised_fiat"] is None
    assert state["percent"] is None  # never a made-up percentage


def test_tips_made_at_a_rate_still_count_when_todays_rate_is_missing(creator, euro_goal, pay):
    pay(tip_create(creator=creator, amount_sats=9000))
    rates_go_stale()

    state = goal_state(euro_goal, now=timezone.now())

    assert (state["raised_fiat"], state["percent"]) == ("8.10", 16)


def test_a_sats_goal_gives_the_fiat_value_too(creator, overlay, static_rates, pay):
    overlay_settings_update(overlay=overlay, goal_target_sats=20_000)  # Alice prices in USD
    pay(tip_create(creator=creator, amount_sats=5000))

    state = goal_state(overlay, now=timezone.now())

    assert state["unit"] == "sats"
    assert (state["raised_sats"], state["target_sats"], state["percent"]) == (5000, 20_000, 25)
    assert (state["raised_fiat"], state["currency"]) == ("5.00", "USD")

    rates_go_stale()
    assert goal_state(overlay, now=timezone.now())["raised_fiat"] is None  # sats only


def alert_data(creator) -> dict:
    return OverlayEvent.objects.get(creator=creator, kind=OverlayEventKind.ALERT).data


def test_an_alert_gives_the_tips_fiat_value_at_its_own_rate(creator, euro_goal, pay):
    tip = tip_create(creator=creator, amount_sats=2100, name="Bob", name_public=True)
    rate_moves("EUR", "180000")  # after the tip was made: its alert keeps its own rate
    pay(tip, confirm=False)

    data = alert_data(creator)

    assert data["amount_sats"] == 2100
    assert data["fiat"] == {"amount": "1.89", "currency": "EUR"}


def test_a_tip_made_without_a_rate_alerts_in_sats_only(creator, euro_goal, pay):
    rates_go_stale()
    pay(tip_create(creator=creator, amount_sats=2100), confirm=False)

    assert alert_data(creator)["fiat"] is None


def test_a_test_alert_gives_its_fiat_value_at_the_current_rate(creator, euro_goal):
    alert = overlay_test_alert(creator=creator, amount_sats=21_000, name="Satoshi", message="")
    assert alert.data["fiat"] == {"amount": "18.90", "currency": "EUR"}

    rates_go_stale()
    alert = overlay_test_alert(creator=creator, amount_sats=21_000, name="Satoshi", message="")
    assert alert.data["fiat"] is None
