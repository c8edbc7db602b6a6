"""A creator's Lightning Address as their wallet: only with LNURL-verify, every answer checked."""

from __future__ import annotations

import pytest

from btc.bolt11 import description_hash_of, invoice_decode
from btc.lnurl import metadata_hash
from creators.models import LightningWallet
from payments.lightning import address_wallet
from payments.lightning.address_wallet import LightningAddressWallet
from payments.lightning.wallets import WalletRefused, WalletUnavailable, adapter_class
from tests.json_server import Answer
from tests.lightning.provider import ADDRESS, CALLBACK_PATH, PAY_REQUEST_PATH


def connected_wallet(provider) -> LightningAddressWallet:
    connected = LightningAddressWallet.connect(ADDRESS)
    wallet = LightningWallet(
        kind="lightning_address", label=connected.label, public=connected.public
    )
    return LightningAddressWallet(wallet)


def ask(adapter: LightningAddressWallet, amount_msat: int = 21_000):
    return adapter.make_invoice(
        amount_msat=amount_msat, description_hash=description_hash_of("ours"), expiry_seconds=600
    )


def test_the_adapter_is_registered_for_its_kind():
    assert adapter_class("lightning_address") is LightningAddressWallet


def test_a_provider_with_lnurl_verify_connects_after_one_test_invoice(provider):
    connected = LightningAddressWallet.connect(ADDRESS)

    assert connected.label == ADDRESS
    assert connected.secret == ""
    assert connected.public["callback"] == provider.server.url(CALLBACK_PATH)
    assert connected.public["metadata_hash"] == metadata_hash(provider.metadata)
    [probe] = provider.invoices.values()
    assert probe.amount_msat == 1000  # 1 sat
    assert any("/verify/" in path for path in provider.server.requested)


def test_a_provider_without_lnurl_verify_is_refused_saying_why(provider):
    provider.offers_verify = False

    with pytest.raises(WalletRefused) as refusal:
        LightningAddressWallet.connect(ADDRESS)

    assert refusal.value.code == "no_verify"
    assert "LNURL-verify" in refusal.value.message
    assert "test invoice of 1 sat" in refusal.value.message
    assert "Nostr Wallet Connect" in refusal.value.message


def test_the_test_invoice_is_for_the_providers_minimum_when_above_a_sat(provider):
    provider.min_sendable_msat = 5500

    LightningAddressWallet.connect(ADDRESS)

    [probe] = provider.invoices.values()
    assert probe.amount_msat == 6000  # whole sats, at least the minimum


def test_a_provider_minting_the_wrong_amount_is_not_connected(provider):
    provider.amount_error_msat = 1000

    with pytest.raises(WalletUnavailable, match="another amount"):
        LightningAddressWallet.connect(ADDRESS)


def test_a_provider_that_does_not_answer_in_time_is_given_up(provider, monkeypatch):
    monkeypatch.setattr(address_wallet, "TIMEOUT_SECONDS", 0.3)
    provider.server.routes[CALLBACK_PATH] = Answer(hang=True)

    with pytest.raises(WalletUnavailable, match=r"no answer within 0.3s"):
        LightningAddressWallet.connect(ADDRESS)


def test_an_oversized_answer_is_refused(provider):
    offer = provider.pay_request() | {"padding": "x" * (address_wallet.PAY_REQUEST_MAX_BYTES + 1)}
    provider.server.routes[PAY_REQUEST_PATH] = Answer.json(offer)

    with pytest.raises(WalletUnavailable, match="larger than"):
        LightningAddressWallet.connect(ADDRESS)


def test_a_redirect_to_a_private_address_is_not_followed(provider):
    provider.server.routes[PAY_REQUEST_PATH] = Answer.redirect("http://10.0.0.1/lnurlp/alice")

    with pytest.raises(WalletUnavailable, match="may not reach"):
        LightningAddressWallet.connect(ADDRESS)


def test_a_callback_on_a_private_address_is_not_called(provider):
    provider.server.routes[PAY_REQUEST_PATH] = Answer.json(
        provider.pay_request() | {"callback": "https://169.254.169.254/latest/meta-data/"}
    )

    with pytest.raises(WalletUnavailable, match="may not reach"):
        LightningAddressWallet.connect(ADDRESS)


@pytest.mark.parametrize(
    "change",
    [
        {"tag": "withdrawRequest"},
        {"callback": "javascript:alert(1)"},
        {"minSendable": 0},
        {"minSendable": 2000, "maxSendable": 1000},
        {"metadata": "not json"},
        {"metadata": "[]"},
    ],
)
def test_an_answer_that_is_not_a_valid_pay_request_is_refused(provider, change):
    provider.server.routes[PAY_REQUEST_PATH] = Answer.json(provider.pay_request() | change)

    with pytest.raises(WalletRefused) as refusal:
        LightningAddressWallet.connect(ADDRESS)

    assert refusal.value.code == "not_pay_request"


def test_an_lnurl_error_is_shown_with_its_reason(provider):
    provider.server.routes[PAY_REQUEST_PATH] = Answer.json(
        {"status": "ERROR", "reason": "Unknown user"}
    )

    with pytest.raises(WalletUnavailable, match="Unknown user"):
        LightningAddressWallet.connect(ADDRESS)


@pytest.mark.parametrize("text", ["alice", "Alice@provider.example", "alice@localhost", "a@b@c.d"])
def test_text_that_is_not_a_lightning_address_is_refused(text):
    with pytest.raises(WalletRefused) as refusal:
        LightningAddressWallet.connect(text)

    assert refusal.value.code == "not_an_address"


def test_an_invoice_commits_to_the_providers_metadata_not_ours(provider):
    adapter = connected_wallet(provider)

    made = adapter.make_invoice(
        amount_msat=21_000, description_hash=description_hash_of("ours"), expiry_seconds=600
    )

    invoice = invoice_decode(made.bolt11)
    assert invoice.amount_msat == 21_000
    assert made.description_hash == metadata_hash(provider.metadata) == invoice.description_hash
    assert made.verify_url == provider.server.url(f"/lnurlp/alice/verify/{invoice.payment_hash}")


def test_an_invoice_from_another_node_than_the_tested_one_is_refused(provider):
    adapter = connected_wallet(provider)
    adapter.wallet.public["payee"] = "02" + "11" * 32

    with pytest.raises(WalletUnavailable, match="another Lightning node"):
        ask(adapter)


def test_an_amount_outside_the_providers_range_is_not_asked(provider):
    provider.max_sendable_msat = 50_000
    adapter = connected_wallet(provider)

    with pytest.raises(WalletUnavailable, match="between 1 and 50 sats"):
        adapter.make_invoice(amount_msat=60_000, description_hash="00" * 32, expiry_seconds=600)


def test_lookup_says_unpaid_then_paid_with_the_proven_preimage(provider):
    adapter = connected_wallet(provider)
    made = ask(adapter)
    payment_hash = invoice_decode(made.bolt11).payment_hash

    before = adapter.lookup_invoice(
        payment_hash=payment_hash, bolt11=made.bolt11, verify_url=made.verify_url
    )
    provider.pay(payment_hash)
    after = adapter.lookup_invoice(
        payment_hash=payment_hash, bolt11=made.bolt11, verify_url=made.verify_url
    )

    assert not before.settled
    assert after.settled
    assert after.preimage == provider.invoices[payment_hash].preimage


def test_a_settled_answer_without_the_right_preimage_is_not_believed(provider):
    adapter = connected_wallet(provider)
    made = ask(adapter)
    payment_hash = invoice_decode(made.bolt11).payment_hash
    provider.pay(payment_hash)
    provider.lying_preimage = "ab" * 32

    with pytest.raises(WalletUnavailable, match="without proving it"):
        adapter.lookup_invoice(
            payment_hash=payment_hash, bolt11=made.bolt11, verify_url=made.verify_url
        )


def test_a_verify_answer_about_another_invoice_is_not_believed(provider):
    adapter = connected_wallet(provider)
    first = ask(adapter)
    second = ask(adapter)
    first_hash = invoice_decode(first.bolt11).payment_hash
    provider.pay(first_hash)

    with pytest.raises(WalletUnavailable, match="another invoice"):
        # The second invoice, asked at the first one's verify URL.
        adapter.lookup_invoice(
            payment_hash=invoice_decode(second.bolt11).payment_hash,
            bolt11=second.bolt11,
            verify_url=first.verify_url,
        )
