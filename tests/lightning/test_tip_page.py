"""The tip page with a Lightning wallet connected: below the creator's on-chain minimum a tip
is offered over Lightning only (no address burnt); from it up, one unified BIP21 QR offers
both rails, and whichever is paid confirms the tip."""

from __future__ import annotations

import pytest

from payments.lightning.simulated import simulated_invoice_pay
from payments.models import LightningInvoice, Rail, Tip, TipStatus
from payments.screen import qr_uri
from tests.lightning.doubles import connect_double

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def onchain_minimum(creator):
    creator.onchain_min_sats = 10_000
    creator.save()


def tip_from_page(client, amount):
    response = client.post("/@alice", {"amount_sats": str(amount), "name": "Bob"})
    assert response.status_code == 302, response.content.decode()[:500]
    return Tip.objects.get(public_id=response["Location"].split("/")[2])


def test_below_the_onchain_minimum_only_lightning_is_offered(client, creator, wallet):
    tip = tip_from_page(client, 2100)

    page = client.get(f"/t/{tip.public_id}/").content.decode()
    state = client.get(f"/t/{tip.public_id}/status.json").json()

    assert tip.rail == Rail.LIGHTNING and tip.address is None
    assert creator.addresses.count() == 0
    assert state["payment_uri"] == f"lightning:{state['bolt11']}"
    assert state["bolt11"] in page
    assert 'data-webln-invoice="' in page
    assert "tip-address" not in page


def test_from_the_onchain_minimum_one_unified_qr_offers_both_rails(client, creator, wallet):
    tip = tip_from_page(client, 20_000)

    state = client.get(f"/t/{tip.public_id}/status.json").json()
    invoice = LightningInvoice.objects.get(tip=tip)

    assert tip.rail == Rail.ONCHAIN and tip.address is not None
    assert state["payment_uri"].startswith(f"bitcoin:{tip.address.address}?amount=0.0002")
    assert state["payment_uri"].endswith(f"&lightning={invoice.bolt11}")
    assert qr_uri(state).startswith(f"bitcoin:{tip.address.address.upper()}?amount=0.0002")
    assert qr_uri(state).endswith(f"&lightning={invoice.bolt11.upper()}")
    # The invoice lasts as long as the tip's payment window.
    assert abs((invoice.expires_at - tip.expires_at).total_seconds()) <= 2


def test_paying_the_unified_qr_over_lightning_confirms_the_tip_on_that_rail(
    client, creator, wallet
):
    tip = tip_from_page(client, 20_000)

    simulated_invoice_pay(tip=Tip.objects.get(pk=tip.pk))

    tip.refresh_from_db()
    assert (tip.rail, tip.status, tip.confirmed_sats) == (
        Rail.LIGHTNING,
        TipStatus.CONFIRMED,
        20_000,
    )
    assert client.get(f"/t/{tip.public_id}/status.json").json()["status"] == "confirmed"


def test_paying_the_unified_qr_on_chain_still_works(client, creator, wallet, pay):
    tip = tip_from_page(client, 20_000)

    pay(tip)

    tip.refresh_from_db()
    assert (tip.rail, tip.status) == (Rail.ONCHAIN, TipStatus.CONFIRMED)


def test_a_wallet_that_fails_leaves_the_tip_on_chain_only(client, creator):
    connect_double(creator, unavailable=True)

    tip = tip_from_page(client, 20_000)
    state = client.get(f"/t/{tip.public_id}/status.json").json()

    assert tip.rail == Rail.ONCHAIN
    assert "lightning=" not in state["payment_uri"]
    assert state["bolt11"] == ""


def test_without_a_wallet_small_tips_stay_on_chain(client, creator):
    tip = tip_from_page(client, 2100)

    assert tip.rail == Rail.ONCHAIN and tip.address is not None


@pytest.mark.parametrize("amount", [2100, 20_000])
def test_a_viewers_consent_to_show_their_name_is_kept_on_both_rails(
    client, creator, wallet, amount
):
    response = client.post(
        "/@alice", {"amount_sats": str(amount), "name": "Bob", "name_public": "on"}
    )
    tip = Tip.objects.get(public_id=response["Location"].split("/")[2])

    assert tip.name_public
