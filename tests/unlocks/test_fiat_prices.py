"""Unlock prices in fiat: converted when the purchase starts and held for its payment
window; the buyer pays what the page showed. Static rates: 1 BTC = 90,000 EUR."""

from __future__ import annotations

from decimal import Decimal

import pytest

from rates.models import Rate
from unlocks.services import purchase_create

pytestmark = pytest.mark.django_db


@pytest.fixture
def euro_item(creator, make_item, static_rates):
    creator.display_currency = "EUR"
    creator.save()
    return make_item(price_sats=5000, price_fiat=Decimal("4.50"))


def test_the_item_page_shows_the_price_in_euros_and_its_sats(client, euro_item):
    page = client.get(f"/@alice/u/{euro_item.public_id}").content.decode()

    assert '€4.50 <span class="btc">= 5,000 sats</span>' in page
    assert "Buy for 5,000 sats" in page


def test_a_purchase_holds_the_price_of_the_moment_it_started(euro_item):
    purchase = purchase_create(item=euro_item)
    Rate.objects.filter(currency="EUR").update(rate=Decimal("45000"))

    purchase.refresh_from_db()
    assert purchase.amount_sats == 5000  # 4.50 EUR at 90,000 EUR per BTC
    assert purchase.minimum_sats == 5000
    assert (purchase.rate_currency, purchase.rate) == ("EUR", 90000)
    assert purchase_create(item=euro_item).amount_sats == 10000  # a later one: 45,000 EUR


def test_without_a_fresh_rate_the_price_in_sats_applies_and_the_page_says_so(client, euro_item):
    Rate.objects.all().delete()

    page = client.get(f"/@alice/u/{euro_item.public_id}").content.decode()

    assert "Buy for 5,000 sats" in page
    assert "EUR price unavailable right now" in page
    assert purchase_create(item=euro_item).amount_sats == 5000


def test_the_dashboard_saves_a_price_in_fiat(creator_client, creator, static_rates):
    response = creator_client.post(
        "/dashboard/unlocks/new/",
        {
            "title": "Film",
            "price_sats": "5000",
            "price_fiat": "4.50",
            "target_url": "https://drive.example/film",
            "link_ttl_days": "7",
        },
    )

    assert response.status_code == 302
    assert creator.unlock_items.get().price_fiat == Decimal("4.50")
