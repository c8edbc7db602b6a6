"""The item page, its widget, and the purchase page a buyer pays on."""

import pytest

from payments.models import Tip
from payments.services import tip_create
from tests.unlocks.conftest import SECRET_HOST
from unlocks.services import item_set_active, purchase_create

pytestmark = pytest.mark.django_db


def frame_ancestors(response) -> str:
    directives = dict(
        directive.strip().split(" ", 1)
        for directive in response["Content-Security-Policy"].split(";")
    )
    return directives["frame-ancestors"]


def item_page(item) -> str:
    return f"/@{item.creator.handle}/u/{item.public_id}"


def test_the_item_page_shows_the_item_and_a_buy_button(client, item):
    response = client.get(item_page(item))

    assert response.status_code == 200
    page = response.content.decode()
    assert "Director&#x27;s cut" in page
    assert "The full film, 4K, with commentary." in page
    assert "Buy for 5,000 sats" in page
    assert "0.00005 BTC" in page
    assert response["X-Frame-Options"] == "DENY"
    assert frame_ancestors(response) == "'none'"


def test_the_handle_in_the_items_url_must_be_its_creators(client, item):
    assert client.get(f"/@ALICE/u/{item.public_id}").status_code == 200
    assert client.get(f"/@bob/u/{item.public_id}").status_code == 404


def test_an_item_off_sale_is_not_found(client, item):
    item_set_active(item=item, active=False)

    assert client.get(item_page(item)).status_code == 404
    assert client.get(f"/w/u/{item.public_id}/").status_code == 404


def test_a_creator_who_takes_no_payments_sells_nothing(client, item, creator):
    creator.status = "suspended"
    creator.save()

    response = client.post(item_page(item))

    assert response.status_code == 403
    assert b"not on sale" in response.content
    assert not Tip.objects.exists()


def test_the_widget_may_be_framed_by_any_site(client, item):
    response = client.get(f"/w/u/{item.public_id}/")

    assert response.status_code == 200
    assert b"Buy for 5,000 sats" in response.content
    assert "X-Frame-Options" not in response
    assert frame_ancestors(response) == "*"


def test_buying_opens_a_purchase_and_shows_its_payment_page(client, item):
    response = client.post(item_page(item))

    purchase = Tip.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/unlock/p/{purchase.public_id}/"
    assert purchase.unlock_item == item

    page = client.get(response["Location"])
    assert page.status_code == 200
    assert purchase.address.address in page.content.decode()
    assert b"svg" in page.content
    assert "no-store" in page["Cache-Control"]
    assert page["X-Frame-Options"] == "DENY"


def test_buying_from_the_widget_stays_in_the_widget(client, item):
    response = client.post(f"/w/u/{item.public_id}/")

    purchase = Tip.objects.get()
    assert response["Location"] == f"/w/p/{purchase.public_id}/"
    page = client.get(response["Location"])
    assert page.status_code == 200
    assert frame_ancestors(page) == "*"
    assert b'class="compact' in page.content


def test_a_sold_out_item_says_so_and_opens_nothing(client, make_item):
    item = make_item(sales_limit=1)
    purchase_create(item=item)

    page = client.get(item_page(item))
    refused = client.post(item_page(item))

    assert b"Sold out" in page.content
    assert b"Buy for" not in page.content
    assert refused.status_code == 409
    assert Tip.objects.count() == 1


def test_buying_is_rate_limited(client, item, settings):
    settings.BITCACHE_TIP_RATE_PER_IP = 2
    client.post(item_page(item))
    client.post(item_page(item))

    response = client.post(item_page(item))

    assert response.status_code == 429
    assert "Retry-After" in response
    assert Tip.objects.count() == 2


def test_the_status_says_what_is_missing_after_an_underpayment(client, purchase, chain, watch):
    chain.send([(purchase.address.address, 3000)])
    watch()

    state = client.get(f"/unlock/p/{purchase.public_id}/status.json").json()

    assert state["underpaid"] is True
    assert state["missing_sats"] == 2000
    assert state["needs_payment"] is True
    assert state["payment_uri"].startswith(f"bitcoin:{purchase.address.address}?amount=0.00002&")
    assert state["unlocked"] is False
    assert state["access_url"] == state["receipt_code"] == ""
    page = client.get(f"/unlock/p/{purchase.public_id}/").content.decode()
    assert "2,000</strong> sats are still missing" in page


def test_the_status_waits_for_confirmation_of_a_full_payment(client, purchase, chain, watch):
    chain.send([(purchase.address.address, 5000)])
    watch()

    state = client.get(f"/unlock/p/{purchase.public_id}/status.json").json()

    assert state["waiting_confirmation"] is True
    assert state["needs_payment"] is False
    assert state["unlocked"] is False


def test_once_paid_the_page_shows_the_access_link_and_receipt_code(client, purchase, pay):
    pay(purchase)

    response = client.get(f"/unlock/p/{purchase.public_id}/status.json")

    state = response.json()
    assert "no-store" in response["Cache-Control"]
    assert state["unlocked"] is True
    assert state["settled"] is True
    assert state["access_url"].startswith("http://testserver/unlock/")
    assert len(state["receipt_code"]) == 19
    page = client.get(f"/unlock/p/{purchase.public_id}/").content.decode()
    assert state["receipt_code"] in page
    assert client.get(state["access_url"])["Location"].startswith(f"https://{SECRET_HOST}/")


def test_a_tips_id_is_not_a_purchase(client, creator):
    tip = tip_create(creator=creator, amount_sats=5000)

    assert client.get(f"/unlock/p/{tip.public_id}/").status_code == 404
    assert client.get(f"/unlock/p/{tip.public_id}/status.json").status_code == 404


def test_a_purchases_tip_page_sends_to_its_purchase_page(client, purchase):
    response = client.get(f"/t/{purchase.public_id}/")

    assert response.status_code == 302
    assert response["Location"] == f"/unlock/p/{purchase.public_id}/"


def test_an_expired_purchase_is_bought_again_from_the_item_not_renewed_as_a_tip(client, purchase):
    assert client.post(f"/t/{purchase.public_id}/renew").status_code == 404
    assert Tip.objects.count() == 1


def test_embed_js_frames_an_items_widget(client, db):
    script = client.get("/embed.js").content.decode()

    assert 'getAttribute("data-unlock")' in script
    assert '"/w/u/"' in script


def test_the_item_page_and_the_loader_speak_french(client, item):
    page = client.get(f"/@alice/u/{item.public_id}", HTTP_ACCEPT_LANGUAGE="fr")
    script = client.get("/embed.js", HTTP_ACCEPT_LANGUAGE="fr")

    assert "Acheter pour 5\xa0000 sats" in page.content.decode()
    assert "Acheter en bitcoin" in script.content.decode()
