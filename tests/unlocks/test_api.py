"""Paid unlocks in the API: public purchases and their status, the creator's items."""

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


def test_creator_endpoints_need_a_key(anonymous, item):
    assert anonymous.get("/api/v1/creator/unlocks/").status_code == 401
    assert anonymous.get(f"/api/v1/creator/unlocks/{item.public_id}/").status_code == 401
