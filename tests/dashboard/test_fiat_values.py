"""What a tip was worth when it was made, and today: tip list, tip page, CSV and API.
Static rates: 1 BTC = 90,000 EUR when the tip is made; then the euro rate moves."""

from __future__ import annotations

from decimal import Decimal

import pytest

from creators.services import api_key_create
from rates.models import Rate
from tests.dashboard.test_csv_export import download, rows_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def euro_tip(creator, static_rates, make_tip):
    creator.display_currency = "EUR"
    creator.save()
    tip = make_tip(3333)  # 3.00 EUR then
    Rate.objects.filter(currency="EUR").update(rate=Decimal("120000"))  # 4.00 EUR today
    return tip


def test_the_tip_list_shows_the_value_then_and_today(creator_client, euro_tip):
    page = creator_client.get("/dashboard/tips/").content.decode()

    assert "€3.00 then · €4.00 today" in page


def test_the_tip_page_shows_the_rate_it_was_made_at(creator_client, euro_tip):
    page = creator_client.get(f"/dashboard/tips/{euro_tip.public_id}/").content.decode()

    assert "€3.00 then · €4.00 today" in page
    assert "At 1 BTC = 90000.00000000 EUR (static," in page


def test_a_tip_made_without_a_rate_says_so_and_shows_no_value(creator_client, creator, make_tip):
    tip = make_tip(3333)

    page = creator_client.get(f"/dashboard/tips/{tip.public_id}/").content.decode()

    assert "No exchange rate was available when this tip was made." in page
    assert " then" not in page


def test_the_csv_has_the_fiat_columns(creator_client, euro_tip, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        creator_client.post("/dashboard/tips/exports/")

    header, row = rows_of(download(creator_client))
    record = dict(zip(header, row, strict=True))
    assert record["Value at tip time"] == "3.00"
    assert record["Currency"] == "EUR"
    assert Decimal(record["Rate (per BTC)"]) == 90000
    assert record["Rate sources"] == "static"
    assert record["Rate time (UTC)"] == euro_tip.rate_at.isoformat()


def test_the_api_gives_the_rate_the_value_then_and_today(client, creator, euro_tip):
    _key, token = api_key_create(creator=creator, name="books")

    body = client.get("/api/v1/creator/tips/", headers={"authorization": f"Bearer {token}"}).json()

    tip = body["results"][0]
    assert tip["rate"]["currency"] == "EUR"
    assert Decimal(tip["rate"]["rate"]) == 90000
    assert tip["rate"]["sources"] == ["static"]
    assert tip["value_then"] == {"amount": "3.00", "currency": "EUR"}
    assert tip["value_now"] == {"amount": "4.00", "currency": "EUR"}


def test_the_api_gives_nulls_for_a_tip_made_without_a_rate(client, creator, make_tip):
    make_tip(3333)
    _key, token = api_key_create(creator=creator, name="books")

    body = client.get("/api/v1/creator/tips/", headers={"authorization": f"Bearer {token}"}).json()

    tip = body["results"][0]
    assert (tip["rate"], tip["value_then"], tip["value_now"]) == (None, None, None)
