"""Creating and changing items: what a creator may sell, and for how much."""

import pytest
from django.core.exceptions import ValidationError

from unlocks.models import UnlockItem
from unlocks.services import item_set_active, item_update

pytestmark = pytest.mark.django_db


def test_it_creates_an_item_with_its_defaults(make_item, creator):
    item = make_item(target_url="https://drive.example/file/1")

    item.refresh_from_db()
    assert item.creator == creator
    assert item.price_sats == 5000
    assert item.link_ttl_days == 7
    assert item.allow_zero_conf is False
    assert item.is_active
    assert len(item.public_id) >= 12


@pytest.mark.parametrize(
    "url",
    [
        "ftp://files.example/film.mp4",
        "javascript:alert(1)",
        "data:text/html,<script>alert(1)</script>",
        "file:///etc/passwd",
        "not a link",
    ],
)
def test_it_refuses_links_that_are_not_http_or_https(make_item, url):
    with pytest.raises(ValidationError) as refused:
        make_item(target_url=url)

    assert "target_url" in refused.value.message_dict
    assert UnlockItem.objects.count() == 0


@pytest.mark.parametrize("url", ['https://drive.example/a"b', "https://drive.example/{file}"])
def test_it_refuses_links_with_characters_no_uri_holds(make_item, url):
    with pytest.raises(ValidationError) as refused:
        make_item(target_url=url)

    assert "target_url" in refused.value.message_dict
    assert UnlockItem.objects.count() == 0


@pytest.mark.parametrize(
    ("field", "value"),
    [("price_sats", 0), ("price_sats", 10**10), ("link_ttl_days", 0), ("link_ttl_days", 366)],
)
def test_it_refuses_prices_and_lifetimes_out_of_range(make_item, field, value):
    with pytest.raises(ValidationError) as refused:
        make_item(**{field: value})

    assert field in refused.value.message_dict


def test_it_updates_an_item(item):
    item_update(
        item=item,
        title="  New title ",
        description="",
        price_sats=7000,
        target_url="http://other.example/x",
        cover=None,
        sales_limit=3,
        allow_zero_conf=True,
        link_ttl_days=30,
    )

    item.refresh_from_db()
    assert item.title == "New title"
    assert (item.price_sats, item.sales_limit, item.link_ttl_days) == (7000, 3, 30)
    assert item.allow_zero_conf
    assert item.target_url == "http://other.example/x"


def test_it_takes_an_item_off_sale_and_back(item):
    item_set_active(item=item, active=False)
    item.refresh_from_db()
    assert not item.is_active

    item_set_active(item=item, active=True)
    item.refresh_from_db()
    assert item.is_active
