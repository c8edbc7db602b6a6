"""/dashboard/settings/: currency, minimum, suggested amounts, confirmations, thank-you, email."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.django_db

URL = "/dashboard/settings/"


def settings_data(**changes):
    data = {
        "display_currency": "USD",
        "min_tip_sats": "2000",
        "onchain_min_sats": "20000",
        "suggested_amounts": "5000, 2000 21000",
        "confirmations_required": "3",
        "thank_you_message": "  Merci!  ",
        "notify_on_confirmed_tip": "",
    }
    return {**data, **changes}


def test_it_shows_the_current_settings(creator_client, creator):
    response = creator_client.get(URL)

    assert response.status_code == 200
    assert response.context["form"].initial["min_tip_sats"] == creator.min_tip_sats


def test_it_saves_tip_settings(creator_client, creator):
    response = creator_client.post(URL, settings_data())

    assert response.status_code == 302
    creator.refresh_from_db()
    assert creator.min_tip_sats == 2000
    assert creator.onchain_min_sats == 20000
    assert creator.suggested_amounts == [2000, 5000, 21000]
    assert creator.confirmations_required == 3
    assert creator.thank_you_message == "Merci!"
    assert creator.notify_on_confirmed_tip is False


def test_it_refuses_suggestions_below_the_minimum(creator_client, creator):
    response = creator_client.post(URL, settings_data(suggested_amounts="1000, 5000"))

    assert response.status_code == 200
    assert "Suggested amounts must be between your minimum" in response.content.decode()
    creator.refresh_from_db()
    assert creator.min_tip_sats == 1000


def test_it_refuses_too_many_confirmations(creator_client, creator):
    response = creator_client.post(URL, settings_data(confirmations_required="100"))

    assert response.status_code == 200
    creator.refresh_from_db()
    assert creator.confirmations_required == 1


def test_new_tips_use_the_new_confirmations(creator_client, creator, make_tip):
    creator_client.post(URL, settings_data(confirmations_required="2"))
    creator.refresh_from_db()

    assert make_tip(5000).confirmations_required == 2


def test_it_saves_a_display_currency_and_a_minimum_and_suggestions_in_it(creator_client, creator):
    response = creator_client.post(
        URL,
        settings_data(display_currency="EUR", min_tip_fiat="2", suggested_fiat="10,50 2 5"),
    )

    assert response.status_code == 302
    creator.refresh_from_db()
    assert creator.display_currency == "EUR"
    assert creator.min_tip_fiat == 2
    assert creator.suggested_fiat == ["2.00", "5.00", "10.50"]


def test_it_offers_at_least_thirty_currencies_named_in_the_creators_language(
    creator_client, creator
):
    response = creator_client.get(URL, headers={"accept-language": "fr"})

    choices = dict(response.context["form"].fields["display_currency"].choices)
    assert len(choices) >= 30
    assert choices["EUR"] == "EUR (euro)"
    assert choices["JPY"] == "JPY (yen japonais)"


def test_it_refuses_fiat_amounts_finer_than_the_currency_allows(creator_client, creator):
    response = creator_client.post(
        URL, settings_data(display_currency="JPY", min_tip_fiat="100.5", suggested_fiat="200")
    )

    assert response.status_code == 200
    assert "at most 0 digits after the point" in response.text
    creator.refresh_from_db()
    assert creator.min_tip_fiat is None


def test_it_refuses_fiat_suggestions_below_the_fiat_minimum(creator_client, creator):
    response = creator_client.post(
        URL, settings_data(display_currency="EUR", min_tip_fiat="2", suggested_fiat="1 5")
    )

    assert response.status_code == 200
    assert "at least your minimum in EUR" in response.text
