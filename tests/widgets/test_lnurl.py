"""<handle>@<site>: the LUD-06 payRequest, its callback (an invoice from the creator's own
wallet, checked and recorded as a tip), zaps, and LUD-21 verify, as a wallet sees them."""

from __future__ import annotations

import json
import time

import pytest
from django.conf import settings
from django.core.cache import cache
from django.test import override_settings

from btc.bolt11 import invoice_decode
from btc.lnurl import metadata_hash
from moderation.models import FlaggedTerm
from nwc.events import event_sign, public_key_of, secret_key_generate
from payments.lightning.simulated import simulated_invoice_pay
from payments.models import LightningInvoice, Rail, Tip
from tests.factories import CreatorFactory
from tests.lightning.doubles import connect_simulated

pytestmark = pytest.mark.django_db

PAY = "/.well-known/lnurlp/alice"
CALLBACK = "/.well-known/lnurlp/alice/callback"


@pytest.fixture(autouse=True)
def fresh_rate_limits():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def creator(db):
    creator = CreatorFactory(handle="alice", display_name="Alice", min_tip_sats=21)
    connect_simulated(creator)
    return creator


def get(client, url, **query):
    response = client.get(url, query)
    return response, json.loads(response.content)


def test_the_pay_request_names_the_callback_bounds_metadata_and_nostr_key(client, creator):
    response, answer = get(client, PAY)

    assert response.status_code == 200
    assert response["Access-Control-Allow-Origin"] == "*"
    assert answer["tag"] == "payRequest"
    assert answer["callback"] == f"{settings.SITE_URL}{CALLBACK}"
    assert answer["minSendable"] == 21_000
    assert answer["maxSendable"] == settings.BITCACHE_LIGHTNING_MAX_SATS * 1000
    assert answer["commentAllowed"] == 280
    assert answer["payerData"] == {"name": {"mandatory": False}}
    assert answer["allowsNostr"] is True
    assert answer["nostrPubkey"] == public_key_of(settings.BITCACHE_NOSTR_SECRET_KEY)
    metadata = dict(json.loads(answer["metadata"]))
    assert metadata["text/identifier"] == "alice@127.0.0.1"
    assert "Alice" in metadata["text/plain"]


@pytest.mark.parametrize("status", ["suspended", "pending"])
def test_a_creator_not_accepting_tips_gets_an_lnurl_error_not_an_invoice(client, creator, status):
    creator.status = status
    creator.save()

    _, pay = get(client, PAY)
    _, callback = get(client, CALLBACK, amount=21_000)

    assert pay["status"] == callback["status"] == "ERROR"
    assert not Tip.objects.exists()


def test_a_creator_without_a_wallet_gets_an_lnurl_error(client, creator):
    creator.lightning_wallet.delete()

    _, answer = get(client, PAY)

    assert answer["status"] == "ERROR"


def test_an_unknown_handle_is_a_404_error(client, db):
    response, answer = get(client, "/.well-known/lnurlp/nobody")

    assert response.status_code == 404
    assert answer["status"] == "ERROR"


def test_the_callback_answers_an_invoice_committing_to_the_metadata_and_records_the_tip(
    client, creator
):
    _, pay = get(client, PAY)

    response, answer = get(client, CALLBACK, amount=21_000, comment="great stream")

    assert response["Access-Control-Allow-Origin"] == "*"
    decoded = invoice_decode(answer["pr"])
    assert decoded.amount_msat == 21_000
    assert decoded.description_hash == metadata_hash(pay["metadata"])
    assert answer["routes"] == []
    assert answer["successAction"]["tag"] == "message"
    tip = Tip.objects.get()
    assert (tip.rail, tip.amount_sats, tip.message) == (Rail.LIGHTNING, 21, "great stream")
    assert answer["verify"] == (
        f"{settings.SITE_URL}{PAY}/verify/{tip.lightning_invoice.payment_hash}"
    )


def test_verify_says_unpaid_then_paid_with_the_preimage(client, creator):
    _, answer = get(client, CALLBACK, amount=21_000)
    verify = answer["verify"].removeprefix(settings.SITE_URL)

    _, before = get(client, verify)
    simulated_invoice_pay(tip=Tip.objects.get())
    _, after = get(client, verify)

    assert (before["status"], before["settled"], before["preimage"]) == ("OK", False, None)
    assert before["pr"] == answer["pr"]
    assert after["settled"] is True
    assert after["preimage"] == LightningInvoice.objects.get().preimage


def test_verify_finds_no_invoice_of_another_creator(client, creator):
    _, answer = get(client, CALLBACK, amount=21_000)
    CreatorFactory(handle="mallory")
    payment_hash = answer["verify"].rsplit("/", 1)[1]

    response, _ = get(client, f"/.well-known/lnurlp/mallory/verify/{payment_hash}")

    assert response.status_code == 404


def test_the_payer_name_becomes_the_tip_name_and_is_committed_to(client, creator):
    _, pay = get(client, PAY)
    payer_data = json.dumps({"name": "Bob"})

    _, answer = get(client, CALLBACK, amount=50_000, payerdata=payer_data)

    assert invoice_decode(answer["pr"]).description_hash == metadata_hash(
        pay["metadata"] + payer_data
    )
    assert Tip.objects.get().name == "Bob"


@pytest.mark.parametrize(
    "query",
    [
        {"amount": "20000"},  # below the creator's minimum
        {"amount": str((settings.BITCACHE_LIGHTNING_MAX_SATS + 1) * 1000)},
        {"amount": "21500"},  # not whole sats
        {"amount": "abc"},
        {"amount": "21000", "comment": "x" * 281},
        {"amount": "21000", "payerdata": '{"email": "a@b.c"}'},
    ],
    ids=["below-min", "above-max", "fraction", "garbage", "long-comment", "unasked-payerdata"],
)
def test_the_callback_refuses_bad_requests_without_asking_the_wallet(client, creator, query):
    _, answer = get(client, CALLBACK, **query)

    assert answer["status"] == "ERROR"
    assert answer["reason"]
    assert not Tip.objects.exists()
    assert not LightningInvoice.objects.exists()


def test_a_comment_goes_through_the_same_moderation_as_tip_messages(client, creator):
    FlaggedTerm.objects.create(term="scam")

    get(client, CALLBACK, amount=21_000, comment="total SCAM here")

    assert Tip.objects.get().message_flagged


def zap_request(secret, *, amount_msat, recipient, relays=("wss://relay.example",), **extra):
    tags = [["p", recipient], ["relays", *relays], ["amount", str(amount_msat)]]
    return event_sign(
        secret, kind=9734, content="zap!", created_at=int(time.time()), tags=tags
    ).as_json()


def test_a_valid_zap_request_is_committed_to_and_kept_for_its_receipt(client, creator):
    zap = zap_request(secret_key_generate(), amount_msat=21_000, recipient="ab" * 32)

    _, answer = get(client, CALLBACK, amount=21_000, nostr=zap)

    assert invoice_decode(answer["pr"]).description_hash == metadata_hash(zap)
    invoice = LightningInvoice.objects.get()
    assert invoice.zap_request == zap
    assert invoice.tip.message == "zap!"


def test_an_invalid_zap_request_is_refused(client, creator):
    wrong_amount = zap_request(secret_key_generate(), amount_msat=99_000, recipient="ab" * 32)
    forged = json.loads(zap_request(secret_key_generate(), amount_msat=21_000, recipient="ab" * 32))
    forged["content"] = "changed after signing"

    _, first = get(client, CALLBACK, amount=21_000, nostr=wrong_amount)
    _, second = get(client, CALLBACK, amount=21_000, nostr=json.dumps(forged))

    assert first["status"] == second["status"] == "ERROR"
    assert not Tip.objects.exists()


@override_settings(BITCACHE_TIP_RATE_PER_IP=2)
def test_one_client_cannot_flood_a_creators_wallet_with_invoices(client, creator):
    answers = [get(client, CALLBACK, amount=21_000) for _ in range(3)]

    assert [response.status_code for response, _ in answers] == [200, 200, 429]
    assert answers[2][1]["status"] == "ERROR"
    assert answers[2][0]["Retry-After"]
    assert Tip.objects.count() == 2


@override_settings(BITCACHE_TIP_RATE_PER_CREATOR=2)
def test_many_clients_together_cannot_flood_one_creators_wallet(client, creator):
    statuses = [
        client.get(CALLBACK, {"amount": 21_000}, REMOTE_ADDR=f"10.0.0.{n}").status_code
        for n in range(3)
    ]

    assert statuses == [200, 200, 429]
