"""Connecting, testing, replacing and removing a creator's Lightning wallet; key rotation."""

from __future__ import annotations

import secrets

import pytest
from cryptography.fernet import Fernet
from django.core.management import CommandError, call_command
from django.views.debug import ExceptionReporter

from creators.models import LightningWallet
from payments.lightning import wallets
from payments.lightning.connections import (
    lightning_wallet_connect,
    lightning_wallet_remove,
    lightning_wallet_test,
    wallet_kind_detect,
)
from payments.lightning.wallets import WalletRefused, WalletUnavailable
from tests.factories import CreatorFactory
from tests.lightning.fake_nwc import SECRET, SPENDING_URI, URI
from tests.lightning.provider import ADDRESS
from web.sealing import unseal

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        (URI, "nwc"),
        ("  NOSTR+WALLETCONNECT://abc?relay=x ", "nwc"),
        (ADDRESS, "lightning_address"),
        ("lightning:alice@provider.example", "lightning_address"),
    ],
)
def test_the_kind_is_told_from_what_the_creator_pasted(text, kind):
    assert wallet_kind_detect(text) == kind


@pytest.mark.parametrize("text", ["", "hello", "https://alice@provider.example/", "lnbc1..."])
def test_text_of_no_known_kind_is_refused_saying_what_to_paste(text):
    with pytest.raises(WalletRefused, match="Nostr Wallet Connect URI"):
        wallet_kind_detect(text)


def test_a_lightning_address_connects_untested(creator, provider):
    wallet = lightning_wallet_connect(creator=creator, kind="lightning_address", text=ADDRESS)

    assert wallet.creator == creator
    assert (wallet.kind, wallet.label) == ("lightning_address", ADDRESS)
    assert wallet.secret_sealed == ""
    assert wallet.tested_at is None


def test_an_nwc_secret_is_sealed_at_rest_and_never_logged(creator, fake_nwc, caplog):
    caplog.set_level("DEBUG")

    wallet = lightning_wallet_connect(creator=creator, kind="nwc", text=URI)
    lightning_wallet_test(wallet=wallet)

    stored = LightningWallet.objects.get(pk=wallet.pk)
    assert SECRET not in stored.secret_sealed
    assert unseal(stored.secret_sealed) == SECRET
    assert SECRET not in repr(stored) + str(stored) + str(stored.public) + stored.label
    assert SECRET not in caplog.text


def test_a_refused_connection_does_not_quote_the_secret(creator, fake_nwc, caplog):
    caplog.set_level("DEBUG")

    with pytest.raises(WalletRefused) as refusal:
        lightning_wallet_connect(creator=creator, kind="nwc", text=SPENDING_URI)

    assert refusal.value.code == "can_spend"
    assert SECRET not in str(refusal.value)
    assert SECRET not in caplog.text
    assert not LightningWallet.objects.exists()


def test_connecting_again_replaces_the_connection(creator, provider, fake_nwc):
    first = lightning_wallet_connect(creator=creator, kind="nwc", text=URI)
    lightning_wallet_test(wallet=first)

    second = lightning_wallet_connect(creator=creator, kind="lightning_address", text=ADDRESS)

    assert LightningWallet.objects.get() == second
    assert second.pk == first.pk
    assert (second.kind, second.secret_sealed, second.tested_at) == ("lightning_address", "", None)
    assert "payee" not in second.public


def test_a_refused_replacement_leaves_the_current_connection(creator, provider, fake_nwc):
    lightning_wallet_connect(creator=creator, kind="lightning_address", text=ADDRESS)
    provider.offers_verify = False

    with pytest.raises(WalletRefused):
        lightning_wallet_connect(creator=creator, kind="lightning_address", text=ADDRESS)

    assert LightningWallet.objects.get().label == ADDRESS


def test_a_kind_this_server_lacks_is_refused_cleanly(creator, monkeypatch):
    monkeypatch.delitem(wallets._ADAPTERS, "nwc", raising=False)

    with pytest.raises(WalletRefused, match="Nostr Wallet Connect is not available"):
        lightning_wallet_connect(creator=creator, kind="nwc", text=URI)


def test_the_test_makes_a_1_sat_invoice_and_pins_its_node(creator, provider):
    wallet = lightning_wallet_connect(creator=creator, kind="lightning_address", text=ADDRESS)

    tested = lightning_wallet_test(wallet=wallet)

    wallet.refresh_from_db()
    assert tested.amount_sats == 1
    assert tested.payee == provider.node_id == wallet.public["payee"]
    assert wallet.tested_at is not None


def test_the_test_asks_the_providers_minimum_in_whole_sats(creator, provider):
    provider.min_sendable_msat = 2500
    wallet = lightning_wallet_connect(creator=creator, kind="lightning_address", text=ADDRESS)

    assert lightning_wallet_test(wallet=wallet).amount_sats == 3


def test_a_wrong_test_invoice_fails_the_test_with_a_reason(creator, provider):
    wallet = lightning_wallet_connect(creator=creator, kind="lightning_address", text=ADDRESS)
    provider.amount_error_msat = 5000

    with pytest.raises(WalletUnavailable, match="another amount"):
        lightning_wallet_test(wallet=wallet)

    wallet.refresh_from_db()
    assert wallet.tested_at is None
    assert "payee" not in wallet.public


def test_testing_again_pins_the_node_the_provider_now_uses(creator, provider):
    wallet = lightning_wallet_connect(creator=creator, kind="lightning_address", text=ADDRESS)
    lightning_wallet_test(wallet=wallet)
    provider.node_key = secrets.token_bytes(32)

    tested = lightning_wallet_test(wallet=wallet)

    wallet.refresh_from_db()
    assert tested.payee == provider.node_id == wallet.public["payee"]


def test_removing_forgets_the_connection_and_its_secret(creator, fake_nwc):
    wallet = lightning_wallet_connect(creator=creator, kind="nwc", text=URI)

    lightning_wallet_remove(wallet=wallet)

    assert not LightningWallet.objects.exists()


def test_reseal_moves_every_secret_to_the_new_key(settings, fake_nwc):
    old, new = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    settings.BITCACHE_SEALING_KEYS = [old]
    wallets = [
        lightning_wallet_connect(creator=CreatorFactory(), kind="nwc", text=URI) for _ in range(2)
    ]

    settings.BITCACHE_SEALING_KEYS = [new, old]
    call_command("reseal")
    settings.BITCACHE_SEALING_KEYS = [new]

    for wallet in wallets:
        assert unseal(LightningWallet.objects.get(pk=wallet.pk).secret_sealed) == SECRET


def test_reseal_names_the_wallets_no_key_opens(settings, fake_nwc):
    settings.BITCACHE_SEALING_KEYS = [Fernet.generate_key().decode()]
    wallet = lightning_wallet_connect(creator=CreatorFactory(), kind="nwc", text=URI)

    settings.BITCACHE_SEALING_KEYS = [Fernet.generate_key().decode()]
    with pytest.raises(CommandError, match=f"Lightning wallet\\(s\\) {wallet.pk}:"):
        call_command("reseal")


def test_an_error_report_shows_no_secret_from_the_connection_or_its_adapter(
    creator, fake_nwc, monkeypatch
):
    def connect(text):
        secret = text.rsplit("secret=", 1)[-1]
        raise RuntimeError(f"adapter bug with {len(secret)} characters")

    monkeypatch.setattr(fake_nwc, "connect", staticmethod(connect))
    with pytest.raises(RuntimeError) as failure:
        lightning_wallet_connect(creator=creator, kind="nwc", text=URI)

    # The frames' variables (the page's POST data is hidden by the view's
    # sensitive_post_parameters: tests/lightning/test_lightning_page.py).
    report = ExceptionReporter(None, failure.type, failure.value, failure.tb).get_traceback_html()

    assert "adapter bug with 64 characters" in report  # it is the report of that failure
    assert SECRET not in report
