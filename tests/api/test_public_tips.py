"""Public API: a viewer's tip for a widget or a handle, same rules and limits as the page."""

from __future__ import annotations

import pytest
from django.test import override_settings

from payments.models import Tip
from payments.services import tip_create
from tests.factories import CreatorFactory

pytestmark = pytest.mark.django_db


def test_it_creates_a_tip_for_a_handle(anonymous, creator):
    response = anonymous.post(
        "/api/v1/tips/", {"handle": "alice", "amount_sats": 5000, "name": "Bob"}, format="json"
    )

    assert response.status_code == 201
    tip = Tip.objects.get()
    assert tip.creator == creator
    assert tip.name == "Bob"
    body = response.json()
    assert body["id"] == tip.public_id
    assert body["status"] == "awaiting_payment"
    assert body["address"] == tip.address.address
    assert body["payment_uri"].startswith(f"bitcoin:{tip.address.address}?amount=0.00005")
    assert body["url"] == f"http://testserver/t/{tip.public_id}/"


def test_it_creates_a_tip_for_a_widget(anonymous, widget):
    response = anonymous.post(
        "/api/v1/tips/", {"widget": widget.public_id, "amount_sats": 2500}, format="json"
    )

    assert response.status_code == 201
    assert Tip.objects.get().widget == widget


def test_it_applies_the_widgets_minimum(anonymous, widget):
    response = anonymous.post(
        "/api/v1/tips/", {"widget": widget.public_id, "amount_sats": 1500}, format="json"
    )

    assert response.status_code == 400
    assert response.json() == {
        "error": {
            "code": "amount_below_minimum",
            "message": "The minimum tip is 2,000 sats.",
            "fields": {"amount_sats": ["The minimum tip is 2,000 sats."]},
        }
    }
    assert not Tip.objects.exists()


def test_it_refuses_a_message_longer_than_the_page_allows(anonymous, creator):
    response = anonymous.post(
        "/api/v1/tips/",
        {"handle": "alice", "amount_sats": 5000, "message": "x" * 281},
        format="json",
    )

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "message_too_long"


def test_it_wants_a_widget_or_a_handle(anonymous, widget):
    response = anonymous.post("/api/v1/tips/", {"amount_sats": 5000}, format="json")

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalid"
    assert "non_field_errors" in response.json()["error"]["fields"]


def test_it_handles_an_unknown_handle(anonymous, db):
    response = anonymous.post(
        "/api/v1/tips/", {"handle": "nobody", "amount_sats": 5000}, format="json"
    )

    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


def test_it_says_a_suspended_creator_takes_no_tips(anonymous):
    CreatorFactory(handle="bob", status="suspended")

    response = anonymous.post(
        "/api/v1/tips/", {"handle": "bob", "amount_sats": 5000}, format="json"
    )

    assert response.status_code == 403
    assert response.json()["error"]["code"] == "not_accepting"


@override_settings(BITCACHE_TIP_RATE_PER_IP=2, BITCACHE_MAX_OPEN_TIPS_PER_CREATOR=100)
def test_it_shares_the_tip_pages_rate_limit(anonymous, client, creator):
    assert client.post("/@alice", {"amount_sats": "5000"}).status_code == 302
    assert (
        anonymous.post(
            "/api/v1/tips/", {"handle": "alice", "amount_sats": 5000}, format="json"
        ).status_code
        == 201
    )

    response = anonymous.post(
        "/api/v1/tips/", {"handle": "alice", "amount_sats": 5000}, format="json"
    )

    assert response.status_code == 429
    assert response.json()["error"]["code"] == "rate_limited"
    assert 0 < int(response["Retry-After"]) <= 60
    assert Tip.objects.count() == 2


@override_settings(BITCACHE_MAX_OPEN_TIPS_PER_CREATOR=1)
def test_it_says_when_the_creator_has_too_many_unpaid_tips(anonymous, creator):
    tip_create(creator=creator, amount_sats=5000)

    response = anonymous.post(
        "/api/v1/tips/", {"handle": "alice", "amount_sats": 5000}, format="json"
    )

    assert response.status_code == 429
    assert response.json()["error"]["code"] == "busy"
    assert "Retry-After" in response


def test_it_reads_a_tips_status(anonymous, creator, pay):
    tip = tip_create(creator=creator, amount_sats=5000, message="private? no, public")
    pay(tip, confirm=False)

    response = anonymous.get(f"/api/v1/tips/{tip.public_id}/")

    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "in_mempool"
    assert body["received_sats"] == 5000
    assert "message" not in body  # the public status has nothing private
    assert "derivation_path" not in body


def test_it_handles_a_missing_tip(anonymous, db):
    response = anonymous.get("/api/v1/tips/no-such-tip/")

    assert response.status_code == 404
    assert response.json() == {"error": {"code": "not_found", "message": "Not found."}}


def test_a_name_is_public_only_when_the_viewer_says_so(anonymous, creator):
    for name, consent in (("Bob", None), ("Carol", True)):
        body = {"handle": "alice", "amount_sats": 5000, "name": name}
        if consent is not None:
            body["name_public"] = consent
        assert anonymous.post("/api/v1/tips/", body, format="json").status_code == 201
    assert dict(Tip.objects.values_list("name", "name_public")) == {"Bob": False, "Carol": True}


def test_it_takes_an_amount_in_fiat_and_answers_with_both(anonymous, creator, static_rates):
    response = anonymous.post(
        "/api/v1/tips/",
        {"handle": "alice", "amount": "5.00", "currency": "EUR"},
        format="json",
    )

    assert response.status_code == 201
    tip = Tip.objects.get()
    assert tip.amount_sats == 5556  # at 90,000 EUR per BTC
    body = response.json()
    assert body["amount_sats"] == 5556
    assert body["amount_fiat"] == {"amount": "5.56", "currency": "USD"}  # the creator's


def test_it_refuses_a_fiat_amount_below_the_minimum_in_that_currency(
    anonymous, creator, static_rates
):
    response = anonymous.post(
        "/api/v1/tips/", {"handle": "alice", "amount": "0.50", "currency": "EUR"}, format="json"
    )

    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "amount_below_minimum"
    assert error["message"] == "The minimum tip is €0.90 (1,000 sats)."


def test_it_refuses_a_fiat_amount_without_a_fresh_rate(anonymous, creator):
    response = anonymous.post(
        "/api/v1/tips/", {"handle": "alice", "amount": "5.00", "currency": "EUR"}, format="json"
    )

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "amount_fiat_unavailable"
    assert not Tip.objects.exists()


@pytest.mark.parametrize(
    "amounts",
    [
        {},
        {"amount": "5.00"},
        {"currency": "EUR"},
        {"amount_sats": 5000, "amount": "5.00", "currency": "EUR"},
        {"amount_sats": 5000, "currency": "EUR"},
    ],
)
def test_it_wants_either_sats_or_an_amount_with_its_currency(anonymous, creator, amounts):
    response = anonymous.post("/api/v1/tips/", {"handle": "alice", **amounts}, format="json")

    assert response.status_code == 400
    assert not Tip.objects.exists()


@pytest.mark.parametrize("amount", ["5.001", "-5", "0", "five", "NaN"])
def test_it_refuses_fiat_amounts_that_are_not_plain_positive_figures(
    anonymous, creator, static_rates, amount
):
    response = anonymous.post(
        "/api/v1/tips/", {"handle": "alice", "amount": amount, "currency": "EUR"}, format="json"
    )

    assert response.status_code == 400
    assert "amount" in response.json()["error"]["fields"]
