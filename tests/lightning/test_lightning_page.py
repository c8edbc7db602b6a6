"""Dashboard -> Lightning: connect, test, replace and remove a wallet, the secret never shown."""

from __future__ import annotations

import pytest
from django.core import mail
from django.test import Client

from creators.models import LightningWallet
from payments.lightning import wallets
from tests.factories import CreatorFactory
from tests.lightning.fake_nwc import SECRET, SPENDING_URI, URI
from tests.lightning.provider import ADDRESS

pytestmark = pytest.mark.django_db

PAGE = "/dashboard/lightning/"


@pytest.fixture
def creator_client(client, creator):
    client.force_login(creator.user)
    return client


def body(response) -> str:
    return response.content.decode()


def test_the_dashboard_links_to_the_lightning_page(creator_client):
    page = body(creator_client.get("/dashboard/"))

    assert f'href="{PAGE}"' in page


def test_without_a_wallet_the_page_offers_to_connect_one(creator_client):
    page = body(creator_client.get(PAGE))

    assert "Connect a wallet" in page
    assert 'type="password"' in page
    assert "Test connection" not in page


def test_a_lightning_address_connects_from_the_page(creator_client, provider):
    response = creator_client.post(PAGE, {"text": ADDRESS}, follow=True)

    page = body(response)
    assert f"Connected: {ADDRESS}" in page
    assert "Not yet: test it before viewers use it." in page
    assert "Nostr zaps are not offered" in page
    assert LightningWallet.objects.get().kind == "lightning_address"


def test_a_provider_without_lnurl_verify_is_refused_on_the_page(creator_client, provider):
    provider.offers_verify = False

    page = body(creator_client.post(PAGE, {"text": ADDRESS}))

    assert "does not offer LNURL-verify (LUD-21)" in page
    assert not LightningWallet.objects.exists()


def test_an_nwc_secret_is_never_shown_logged_or_emailed(creator_client, fake_nwc, caplog):
    caplog.set_level("DEBUG")

    connected = creator_client.post(PAGE, {"text": URI}, follow=True)
    tested = creator_client.post(f"{PAGE}test", follow=True)

    assert "Connected: Fake wallet via wss://relay.example" in body(connected)
    assert "The test worked" in body(tested)
    for response in (connected, tested):
        assert SECRET not in body(response)
    assert SECRET not in caplog.text
    assert all(SECRET not in message.body for message in mail.outbox)
    assert SECRET not in LightningWallet.objects.get().secret_sealed
    # Django's error reports leave the pasted text out.
    assert connected.redirect_chain
    assert creator_client.post(PAGE, {"text": URI}).wsgi_request.sensitive_post_parameters == (
        "text",
    )


def test_a_refused_uri_is_not_echoed_back_in_the_form(creator_client, fake_nwc, caplog):
    caplog.set_level("DEBUG")

    page = body(creator_client.post(PAGE, {"text": SPENDING_URI}))

    assert "This connection can spend" in page
    assert SECRET not in page
    assert SECRET not in caplog.text
    assert not LightningWallet.objects.exists()


def test_without_the_nwc_adapter_the_page_says_nwc_is_not_available(creator_client, monkeypatch):
    monkeypatch.delitem(wallets._ADAPTERS, "nwc", raising=False)

    before = body(creator_client.get(PAGE))
    refused = body(creator_client.post(PAGE, {"text": URI}))

    assert "Nostr Wallet Connect is not available on this server yet." in before
    assert "Nostr Wallet Connect is not available on this server yet." in refused
    assert SECRET not in refused


def test_text_of_no_known_kind_gets_a_hint(creator_client):
    page = body(creator_client.post(PAGE, {"text": "hello"}))

    assert "Paste a Nostr Wallet Connect URI" in page


def test_the_test_button_shows_the_invoice_amount_and_node(creator_client, provider):
    creator_client.post(PAGE, {"text": ADDRESS})

    page = body(creator_client.post(f"{PAGE}test", follow=True))

    assert "your wallet made an invoice for 1 sat, signed by node" in page
    assert provider.node_id in page
    assert "Not yet: test it" not in page


def test_a_failed_test_says_why(creator_client, provider):
    creator_client.post(PAGE, {"text": ADDRESS})
    provider.amount_error_msat = 1000

    page = body(creator_client.post(f"{PAGE}test", follow=True))

    assert "The test failed:" in page
    assert "another amount" in page


def test_testing_without_a_wallet_asks_to_connect_one(creator_client):
    page = body(creator_client.post(f"{PAGE}test", follow=True))

    assert "Connect a wallet first." in page


def test_remove_forgets_the_wallet(creator_client, provider):
    creator_client.post(PAGE, {"text": ADDRESS})

    page = body(creator_client.post(f"{PAGE}remove", follow=True))

    assert "Wallet removed." in page
    assert not LightningWallet.objects.exists()


def test_another_creator_neither_sees_tests_nor_removes_my_wallet(creator_client, provider):
    creator_client.post(PAGE, {"text": ADDRESS})
    mine = LightningWallet.objects.get()
    client = Client()
    client.force_login(CreatorFactory(handle="bobby").user)

    seen = body(client.get(PAGE))
    client.post(f"{PAGE}test")
    client.post(f"{PAGE}remove")

    assert ADDRESS not in seen
    after = LightningWallet.objects.get()
    assert (after.pk, after.tested_at, after.public) == (mine.pk, None, mine.public)


def test_the_page_speaks_french(creator_client, provider):
    creator_client.post(PAGE, {"text": ADDRESS})

    page = body(creator_client.get(PAGE, HTTP_ACCEPT_LANGUAGE="fr"))

    assert "Tester la connexion" in page


def test_connection_attempts_are_limited_per_hour(creator_client, provider, monkeypatch):
    monkeypatch.setattr("dashboard.lightning.ATTEMPTS_PER_HOUR", 2)
    creator_client.post(PAGE, {"text": ADDRESS})
    creator_client.post(f"{PAGE}test")
    asked = len(provider.server.requested)

    refused = body(creator_client.post(PAGE, {"text": ADDRESS}))
    refused_test = body(creator_client.post(f"{PAGE}test", follow=True))

    assert "Too many connection attempts this hour" in refused
    assert "Too many connection attempts this hour" in refused_test
    assert len(provider.server.requested) == asked  # the provider was not asked again
