"""Paid unlocks in the API: public purchases and their status, the creator's items."""

from decimal import Decimal

import pytest
from rest_framework.test import APIClient

from creators.services import api_key_create
from tests.factories import CreatorFactory
from tests.unlocks.conftest import SECRET_HOST
from unlocks.services import item_create, purchase_create

pytestmark = pytest.mark.django_db


@pytest.fixture
def anonymous() -> APIClient:
    return APIClient()


@pytest.fixture
def api(creator) -> APIClient:
    _key, token = api_key_create(creator=creator, name="shop")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    return client


def test_it_opens_a_purchase(anonymous, item):
    response = anonymous.post(f"/api/v1/unlocks/{item.public_id}/purchases/")

    assert response.status_code == 201
    purchase = item.purchases.get()
    body = response.json()
    assert body["id"] == purchase.public_id
    assert body["price_sats"] == body["missing_sats"] == 5000
    assert body["payment_uri"].startswith(f"bitcoin:{purchase.address.address}?amount=0.00005")
    assert body["unlocked"] is False
    assert body["url"] == f"http://testserver/unlock/p/{purchase.public_id}/"
    assert SECRET_HOST not in response.content.decode()


def test_it_refuses_a_sold_out_item(anonymous, make_item):
    item = make_item(sales_limit=1)
    purchase_create(item=item)

    response = anonymous.post(f"/api/v1/unlocks/{item.public_id}/purchases/")

    assert response.status_code == 409
    assert response.json()["error"]["code"] == "sold_out"


def test_an_unknown_item_is_not_found(anonymous, db):
    assert anonymous.post("/api/v1/unlocks/nope/purchases/").status_code == 404


def test_the_status_holds_the_access_once_paid_and_never_the_link(anonymous, purchase, pay):
    before = anonymous.get(f"/api/v1/purchases/{purchase.public_id}/").json()
    pay(purchase)

    response = anonymous.get(f"/api/v1/purchases/{purchase.public_id}/")

    assert before["access_url"] == before["receipt_code"] == ""
    body = response.json()
    assert body["unlocked"] is True
    assert body["access_url"].startswith("http://testserver/unlock/")
    assert body["receipt_code"]
    assert "no-store" in response["Cache-Control"]
    assert SECRET_HOST not in response.content.decode()


def test_the_creator_lists_their_items_with_sales(api, item, purchase, pay):
    pay(purchase)
    item_create(
        creator=CreatorFactory(), title="Not yours", price_sats=1, target_url="https://x.example"
    )

    response = api.get("/api/v1/creator/unlocks/")

    assert response.status_code == 200
    (listed,) = response.json()["results"]
    assert listed["id"] == item.public_id
    assert listed["sales"] == 1
    assert listed["revenue_sats"] == 5000
    assert listed["url"] == f"http://testserver/@alice/u/{item.public_id}"


def test_another_creators_item_is_not_found(api, db):
    other = item_create(
        creator=CreatorFactory(), title="Not yours", price_sats=1, target_url="https://x.example"
    )

    assert api.get(f"/api/v1/creator/unlocks/{other.public_id}/").status_code == 404
    price = {"price_fiat": {"amount": "1.00", "currency": other.creator.display_currency}}
    assert (
        api.patch(f"/api/v1/creator/unlocks/{other.public_id}/", price, format="json").status_code
        == 404
    )
    other.refresh_from_db()
    assert other.price_fiat is None


def test_an_item_shows_its_fiat_price_in_the_creators_currency(api, creator, make_item):
    creator.display_currency = "EUR"
    creator.save()
    item = make_item(price_fiat=Decimal("4.5"))

    body = api.get(f"/api/v1/creator/unlocks/{item.public_id}/").json()

    assert body["price_sats"] == 5000
    assert body["price_fiat"] == {"amount": "4.50", "currency": "EUR"}
    (listed,) = api.get("/api/v1/creator/unlocks/").json()["results"]
    assert listed["price_fiat"] == {"amount": "4.50", "currency": "EUR"}


def test_the_creator_sets_and_removes_a_fiat_price(api, creator, item, static_rates):
    creator.display_currency = "EUR"
    creator.save()
    url = f"/api/v1/creator/unlocks/{item.public_id}/"

    response = api.patch(url, {"price_fiat": {"amount": "9.00", "currency": "eur"}}, format="json")

    assert response.status_code == 200
    assert response.json()["price_fiat"] == {"amount": "9.00", "currency": "EUR"}
    assert response.json()["price_sats"] == 5000  # unchanged: the price without a rate
    item.refresh_from_db()
    assert item.price_fiat == Decimal("9.00")
    # A purchase now pays the fiat price at the current rate (90,000 EUR a bitcoin).
    assert purchase_create(item=item).amount_sats == 10_000

    response = api.patch(url, {"price_fiat": None, "price_sats": 7000}, format="json")
    assert response.status_code == 200
    assert response.json()["price_fiat"] is None
    assert response.json()["price_sats"] == 7000


@pytest.mark.parametrize(
    "price",
    [
        {"amount": "9.001", "currency": "EUR"},  # more digits than cents
        {"amount": "0", "currency": "EUR"},
        {"amount": "-5.00", "currency": "EUR"},
        {"amount": "five", "currency": "EUR"},
        {"amount": "9.00", "currency": "USD"},  # not the creator's display currency
        {"amount": 9, "currency": "EUR"},  # a figure is a string, as in the tip API
        {"amount": "9.00"},
    ],
)
def test_a_wrong_fiat_price_is_refused_and_nothing_changes(api, creator, item, price):
    creator.display_currency = "EUR"
    creator.save()

    response = api.patch(
        f"/api/v1/creator/unlocks/{item.public_id}/", {"price_fiat": price}, format="json"
    )

    assert response.status_code == 400
    assert "price_fiat" in str(response.json())
    item.refresh_from_db()
    assert item.price_fiat is None


def test_a_price_change_needs_a_price(api, item):
    response = api.patch(f"/api/v1/creator/unlocks/{item.public_id}/", {}, format="json")
    assert response.status_code == 400


def test_creator_endpoints_need_a_key(anonymous, item):
    assert anonymous.get("/api/v1/creator/unlocks/").status_code == 401
    assert anonymous.get(f"/api/v1/creator/unlocks/{item.public_id}/").status_code == 401
    assert anonymous.patch(f"/api/v1/creator/unlocks/{item.public_id}/").status_code == 401
