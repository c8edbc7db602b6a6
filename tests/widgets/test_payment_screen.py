"""/t/<id>/: the payment screen, its live status and a new address for an expired tip."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from payments.models import Tip
from payments.services import tip_create
from payments.tasks import watch_chain, watch_mempool

pytestmark = pytest.mark.django_db


@pytest.fixture
def expired_tip(creator):
    two_hours_ago = timezone.now() - timedelta(hours=2)
    return tip_create(
        creator=creator, amount_sats=3000, name="Eve", message="Again", now=two_hours_ago
    )


def test_it_shows_the_qr_code_address_amount_and_wallet_link(client, tip):
    response = client.get(f"/t/{tip.public_id}/")

    assert response.status_code == 200
    page = response.content.decode()
    uri = f"bitcoin:{tip.address.address}?amount=0.00005&amp;label=Tip%20for%20%40alice"
    assert '<svg role="img" viewBox=' in page
    assert f'href="{uri}"' in page
    assert f'<code id="tip-address">{tip.address.address}</code>' in page
    assert '<code id="tip-amount">0.00005</code>' in page
    assert "Waiting for your payment…" in page


def test_its_status_is_small_cacheable_json(client, tip):
    response = client.get(f"/t/{tip.public_id}/status.json")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert "max-age=3" in response["Cache-Control"]
    assert "public" in response["Cache-Control"]
    state = response.json()
    assert state["status"] == "awaiting_payment"
    assert state["address"] == tip.address.address
    assert state["amount_sats"] == 5000
    assert "name" not in state and "message" not in state


def test_it_answers_404_for_an_unknown_tip(client, db):
    assert client.get("/t/nope/").status_code == 404
    assert client.get("/t/nope/status.json").status_code == 404


def test_it_follows_a_payment_from_the_mempool_to_confirmed(client, chain, tip):
    status_url = f"/t/{tip.public_id}/status.json"
    chain.send([(tip.address.address, 5000)])
    watch_chain()
    watch_mempool()

    seen = client.get(status_url).json()
    chain.mine(1)
    watch_chain()
    watch_mempool()
    confirmed = client.get(status_url).json()

    assert (seen["status"], seen["confirmations"], seen["received_sats"]) == ("in_mempool", 0, 5000)
    assert (confirmed["status"], confirmed["confirmations"]) == ("confirmed", 1)
    page = client.get(f"/t/{tip.public_id}/").content.decode()
    assert "Payment confirmed." in page
    assert "Merci, you made my day!" in page


def test_it_says_an_unpaid_tip_expired_and_offers_a_new_address(client, expired_tip):
    response = client.get(f"/t/{expired_tip.public_id}/")

    page = response.content.decode()
    assert response.status_code == 200
    assert "This tip expired before a payment arrived." in page
    assert "Get a new address" in page
    assert expired_tip.address.address not in page  # no longer offered for payment
    assert client.get(f"/t/{expired_tip.public_id}/status.json").json()["status"] == "expired"


def test_a_new_address_keeps_the_amount_name_and_message(client, expired_tip):
    response = client.post(f"/t/{expired_tip.public_id}/renew")

    renewed = Tip.objects.exclude(pk=expired_tip.pk).get()
    assert response.status_code == 302
    assert response["Location"] == f"/t/{renewed.public_id}/"
    assert (renewed.amount_sats, renewed.name, renewed.message) == (3000, "Eve", "Again")
    assert renewed.address != expired_tip.address


def test_a_new_address_does_not_bring_back_a_hidden_message(client, expired_tip):
    expired_tip.message_hidden = True
    expired_tip.save()

    client.post(f"/t/{expired_tip.public_id}/renew")

    assert Tip.objects.exclude(pk=expired_tip.pk).get().message == ""


def test_it_refuses_a_new_address_for_a_tip_that_can_still_be_paid(client, tip):
    response = client.post(f"/t/{tip.public_id}/renew")

    assert response.status_code == 409
    assert "This tip can still be paid" in response.content.decode()
    assert Tip.objects.count() == 1


def test_a_late_payment_still_shows_as_received(client, chain, expired_tip):
    chain.send([(expired_tip.address.address, 3000)])
    watch_chain()
    watch_mempool()

    page = client.get(f"/t/{expired_tip.public_id}/").content.decode()

    assert "Payment seen!" in page
    assert 'data-flag="paid_late">' in page  # shown, not hidden
    assert client.get(f"/t/{expired_tip.public_id}/status.json").json()["paid_late"] is True


def test_it_escapes_the_viewers_name_and_message(client, creator):
    tip = tip_create(
        creator=creator, amount_sats=5000, name="<b>Bob</b>", message="<script>alert(1)</script>"
    )

    page = client.get(f"/t/{tip.public_id}/").content.decode()

    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "&lt;b&gt;Bob&lt;/b&gt;" in page


def test_it_escapes_the_creators_thank_you_message(client, chain, creator, tip):
    creator.thank_you_message = "<img src=x onerror=alert(1)>"
    creator.save()
    chain.send([(tip.address.address, 5000)])
    watch_chain()
    watch_mempool()

    page = client.get(f"/t/{tip.public_id}/").content.decode()

    assert "<img src=x" not in page
    assert "&lt;img src=x onerror=alert(1)&gt;" in page
