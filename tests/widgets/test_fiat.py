"""Viewers see fiat beside sats and may enter either; with no fresh rate, sats only and
a notice. Static rates (as `make run`): 1 BTC = 90,000 EUR, so 2 EUR = 2,222 sats."""

from __future__ import annotations

from decimal import Decimal

import pytest

from payments.models import Tip
from rates.models import Rate

NBSP, NNBSP = "\xa0", "\u202f"


@pytest.fixture
def euro_creator(creator, static_rates):
    creator.display_currency = "EUR"
    creator.min_tip_fiat = Decimal("2")
    creator.suggested_fiat = ["2.00", "5.00"]
    creator.save()
    return creator


def test_the_tip_page_shows_the_minimum_in_euros_and_sats(client, euro_creator):
    page = client.get("/@alice").content.decode()

    assert "Minimum €2.00 (2,222 sats)" in page
    assert 'name="amount_fiat"' in page
    assert "Amount in EUR" in page


def test_suggested_amounts_in_euros_are_offered_in_euros_with_their_sats(client, euro_creator):
    page = client.get("/@alice").content.decode()

    assert 'data-amount="2222" data-fiat="2.00"' in page
    assert 'data-amount="5556" data-fiat="5.00"' in page
    assert "€5.00 <span" in page


def test_amounts_are_written_the_french_way_for_a_french_viewer(client, euro_creator):
    page = client.get("/@alice", headers={"accept-language": "fr"}).content.decode()

    assert f"2,00{NBSP}€ (2{NNBSP}222 sats)" in page or f"2,00{NBSP}€ (2{NBSP}222 sats)" in page


def test_it_refuses_a_fiat_amount_below_the_minimum_in_the_viewers_currency(client, euro_creator):
    response = client.post("/@alice", {"amount_fiat": "1,50"}, headers={"accept-language": "fr"})

    assert response.status_code == 400
    assert f"2,00{NBSP}€" in response.content.decode()
    assert not Tip.objects.exists()


def test_it_takes_a_tip_given_in_euros_in_sats_with_its_rate(client, euro_creator):
    response = client.post("/@alice", {"amount_fiat": "3", "amount_sats": "1000"})

    tip = Tip.objects.get()
    assert response.status_code == 302
    assert tip.amount_sats == 3333
    assert (tip.rate_currency, tip.rate, tip.rate_sources) == ("EUR", 90000, ["static"])


def test_it_says_which_amount_is_wrong_when_the_fiat_one_is_not_a_number(client, euro_creator):
    response = client.post("/@alice", {"amount_fiat": "3.5.0"})

    assert response.status_code == 400
    assert "Enter the amount in EUR, like €5.00." in response.content.decode()


def test_the_payment_screen_shows_the_amount_in_euros_at_the_tips_rate(client, euro_creator):
    client.post("/@alice", {"amount_fiat": "3"})
    tip = Tip.objects.get()
    Rate.objects.filter(currency="EUR").update(rate=Decimal("45000"))

    page = client.get(f"/t/{tip.public_id}/").content.decode()

    assert '3,333 sats <span class="fiat">(€3.00)</span>' in page


def test_without_a_fresh_rate_the_page_shows_sats_only_and_says_so(client, euro_creator):
    client.get("/@alice")  # stored in the page cache with euros
    Rate.objects.all().delete()

    page = client.get("/@alice").content.decode()

    assert "EUR price unavailable right now: amounts are in sats only." in page
    assert "Minimum 1,000 sats" in page
    assert 'name="amount_fiat"' not in page
    assert "€" not in page


def test_without_a_fresh_rate_a_tip_in_sats_still_works(client, euro_creator):
    Rate.objects.all().delete()

    response = client.post("/@alice", {"amount_sats": "1000"})

    assert response.status_code == 302
    assert Tip.objects.get().rate_snapshot is None
