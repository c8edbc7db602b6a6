"""/dashboard/unlocks/: a creator sells items, sees sales and revenue, revokes access;
another creator's items and grants are 404s everywhere."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from tests.creators.uploads import image_upload
from tests.factories import CreatorFactory
from unlocks.models import UnlockGrant, UnlockItem
from unlocks.services import item_create, purchase_create

pytestmark = pytest.mark.django_db

URL = "/dashboard/unlocks/"


def item_data(**changes):
    data = {
        "title": "Director's cut",
        "description": "4K, with commentary.",
        "price_sats": "5000",
        "target_url": "https://drive.example/file/abc",
        "sales_limit": "",
        "link_ttl_days": "7",
    }
    return {**data, **changes}


@pytest.fixture
def paid_grant(purchase, pay) -> UnlockGrant:
    pay(purchase, 6000)
    return UnlockGrant.objects.get(purchase=purchase)


@pytest.fixture
def other_item(db):
    return item_create(
        creator=CreatorFactory(),
        title="Not yours",
        price_sats=1000,
        target_url="https://drive.example/someone-elses-file",
    )


@pytest.fixture
def other_grant(other_item, pay) -> UnlockGrant:
    purchase = purchase_create(item=other_item)
    pay(purchase)
    return UnlockGrant.objects.get(purchase=purchase)


def test_it_creates_an_item(creator_client, creator):
    response = creator_client.post(
        URL + "new/",
        item_data(cover=image_upload("PNG"), sales_limit="10", allow_zero_conf="on"),
    )

    item = UnlockItem.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"{URL}{item.public_id}/"
    assert item.creator == creator
    assert item.price_sats == 5000
    assert item.sales_limit == 10
    assert item.allow_zero_conf
    assert item.cover.name.endswith(".png")


@pytest.mark.parametrize(
    "url", ["ftp://files.example/x", "javascript:alert(1)", "file:///etc/passwd"]
)
def test_it_refuses_a_link_that_is_not_a_web_address(creator_client, url):
    response = creator_client.post(URL + "new/", item_data(target_url=url))

    assert response.status_code == 200
    assert "target_url" in response.context["form"].errors
    assert not UnlockItem.objects.exists()


def test_it_refuses_a_cover_that_is_not_a_picture(creator_client):
    fake = SimpleUploadedFile("cover.png", b"<script>alert(1)</script>")

    response = creator_client.post(URL + "new/", item_data(cover=fake))

    assert response.status_code == 200
    assert "cover" in response.context["form"].errors
    assert not UnlockItem.objects.exists()


def test_it_edits_an_item_and_removes_its_cover(creator_client, item):
    creator_client.post(f"{URL}{item.public_id}/", item_data(cover=image_upload("PNG")))
    item.refresh_from_db()
    assert item.cover

    response = creator_client.post(
        f"{URL}{item.public_id}/", item_data(title="Renamed", price_sats="6000")
    )

    assert response.status_code == 302
    item.refresh_from_db()
    assert item.title == "Renamed"
    assert item.price_sats == 6000
    assert item.cover, "the cover is kept when no new one is sent"
    creator_client.post(f"{URL}{item.public_id}/", item_data(**{"cover-clear": "on"}))
    item.refresh_from_db()
    assert not item.cover


def test_it_takes_an_item_off_sale(creator_client, item):
    response = creator_client.post(f"{URL}{item.public_id}/active", {"active": "0"})

    assert response.status_code == 302
    item.refresh_from_db()
    assert not item.is_active


def test_it_lists_sales_and_confirmed_revenue(creator_client, item, paid_grant, other_item):
    purchase_create(item=item)  # open, unpaid: neither a sale nor revenue

    response = creator_client.get(URL)

    assert response.status_code == 200
    listed = {row.public_id: row for row in response.context["items"]}
    assert set(listed) == {item.public_id}
    assert listed[item.public_id].sales == 1
    assert listed[item.public_id].revenue_sats == 6000
    assert "Not yours" not in response.content.decode()


def test_it_shows_an_items_buyers_and_revokes_one(creator_client, creator, item, paid_grant):
    page = creator_client.get(f"{URL}{item.public_id}/")
    assert page.status_code == 200
    assert [row.grant for row in page.context["grants"]] == [paid_grant]
    assert f'data-unlock="{item.public_id}"' in page.context["embed_code"]

    response = creator_client.post(f"{URL}{item.public_id}/grants/{paid_grant.public_id}/revoke")

    assert response.status_code == 302
    paid_grant.refresh_from_db()
    assert paid_grant.revoked_at is not None
    assert paid_grant.revoked_by == creator.user


def test_another_creators_items_and_grants_are_not_found(
    creator_client, item, other_item, other_grant
):
    other = other_item.public_id
    pages = [
        ("get", f"{URL}{other}/"),
        ("post", f"{URL}{other}/"),
        ("post", f"{URL}{other}/active"),
        ("post", f"{URL}{other}/grants/{other_grant.public_id}/revoke"),
        # Another creator's grant through one's own item is not found either.
        ("post", f"{URL}{item.public_id}/grants/{other_grant.public_id}/revoke"),
    ]
    for method, path in pages:
        response = getattr(creator_client, method)(path, item_data(title="Hijacked", active="0"))
        assert response.status_code == 404, path

    other_item.refresh_from_db()
    other_grant.refresh_from_db()
    assert (other_item.title, other_item.is_active) == ("Not yours", True)
    assert other_grant.revoked_at is None
