"""Lightning tips: the wallet's invoice is checked before anyone sees it, the tip is
recorded with it, and a payment report settles it once, for a known hash only."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import override_settings
from django.utils import timezone

from btc.bolt11 import invoice_decode
from btc.lnurl import metadata_hash
from payments.lightning.services import invoice_settled, invoices_lookup_due, lightning_tip_create
from payments.lightning.simulated import node_pubkey, simulated_invoice_pay
from payments.models import LightningInvoice, Rail, SimulatedInvoice, Tip, TipEvent, TipStatus
from payments.services import TipRefused, tip_create, tips_expire
from tests.lightning.conftest import METADATA
from tests.lightning.doubles import WalletDouble, connect_double, preimage_hash

pytestmark = pytest.mark.django_db


def make(creator, amount_msat=21_000, **kwargs):
    return lightning_tip_create(
        creator=creator, amount_msat=amount_msat, description=METADATA, **kwargs
    )


def test_it_records_a_lightning_tip_with_the_invoice_the_wallet_made(creator, wallet):
    tip = make(creator, name="Bob", message="for the stream")

    invoice = LightningInvoice.objects.get(tip=tip)
    decoded = invoice_decode(invoice.bolt11)
    assert tip.rail == Rail.LIGHTNING
    assert tip.address is None
    assert tip.status == TipStatus.AWAITING_PAYMENT
    assert tip.amount_sats == 21
    assert (tip.name, tip.message) == ("Bob", "for the stream")
    assert decoded.amount_msat == 21_000
    assert decoded.description_hash == metadata_hash(METADATA)
    assert decoded.payee == node_pubkey()
    assert invoice.payment_hash == decoded.payment_hash
    # The tip expires with its invoice.
    assert tip.expires_at == invoice.expires_at
    assert invoice.expires_at.timestamp() == decoded.timestamp + decoded.expiry


@pytest.mark.parametrize(
    ("behaviour", "code"),
    [
        ({"extra_msat": 1000}, "wallet_refused"),
        ({"description_hash": "00" * 32}, "wallet_refused"),
        ({"network": "testnet"}, "wallet_refused"),
        ({"age": 7200, "expiry": 3600}, "wallet_refused"),
        ({"garbage": True}, "wallet_refused"),
        ({"unavailable": True}, "wallet_unavailable"),
    ],
    ids=["wrong-amount", "wrong-description-hash", "wrong-network", "expired", "garbage", "down"],
)
def test_it_refuses_a_wrong_wallet_answer_and_records_nothing(creator, behaviour, code):
    connect_double(creator, **behaviour)

    with pytest.raises(TipRefused) as refused:
        make(creator)

    assert refused.value.code == code
    assert not Tip.objects.exists()
    assert not LightningInvoice.objects.exists()


def test_it_refuses_an_invoice_whose_payment_hash_was_issued_before(creator):
    connect_double(creator, preimage="11" * 32)
    make(creator)

    with pytest.raises(TipRefused) as refused:
        make(creator)

    assert refused.value.code == "wallet_refused"
    assert Tip.objects.count() == 1


def test_it_refuses_amounts_that_are_not_whole_sats_or_below_the_minimum(creator, wallet):
    with pytest.raises(TipRefused) as fraction:
        make(creator, amount_msat=21_500)
    with pytest.raises(TipRefused) as below:
        make(creator, amount_msat=9_000)

    assert fraction.value.code == "amount_invalid"
    assert below.value.code == "amount_below_minimum"
    assert not Tip.objects.exists()


def test_a_creator_without_a_wallet_or_suspended_takes_no_lightning_tip(creator, wallet):
    creator.status = "suspended"
    creator.save()
    with pytest.raises(TipRefused):
        make(creator)
    creator.status = "active"
    creator.save()
    wallet.delete()
    with pytest.raises(TipRefused):
        make(creator)
    assert not Tip.objects.exists()


@override_settings(BITCACHE_MAX_OPEN_TIPS_PER_CREATOR=2, BITCACHE_MAX_OPEN_TIPS_PER_CLIENT=2)
def test_lightning_tips_take_no_address_and_no_open_tip_place(creator, wallet):
    for _ in range(5):
        make(creator, client="viewer")

    onchain = tip_create(creator=creator, amount_sats=5000, client="viewer")

    assert onchain.address is not None
    assert creator.addresses.count() == 1


def test_settling_confirms_the_tip_at_once_and_announces_it_with_its_rail(creator, wallet):
    tip = make(creator)
    minted = SimulatedInvoice.objects.get()

    settled = invoice_settled(payment_hash=minted.payment_hash, preimage=minted.preimage)

    assert settled is not None
    tip.refresh_from_db()
    assert tip.status == TipStatus.CONFIRMED
    assert (tip.received_sats, tip.confirmed_sats) == (21, 21)
    assert tip.confirmed_at is not None
    assert not tip.paid_late
    event = TipEvent.objects.get(tip=tip)
    assert (event.from_status, event.to_status) == ("awaiting_payment", "confirmed")
    assert event.tip_data["rail"] == "lightning"
    assert event.tip_data["payment_hash"] == minted.payment_hash
    assert event.tip_data["bolt11"] == minted.bolt11
    assert event.tip_data["address"] is None
    assert LightningInvoice.objects.get(tip=tip).preimage == minted.preimage


def test_settling_twice_changes_nothing_more(creator, wallet):
    tip = make(creator)
    minted = SimulatedInvoice.objects.get()
    invoice_settled(payment_hash=minted.payment_hash, preimage=minted.preimage)
    first = Tip.objects.get(pk=tip.pk)

    again = invoice_settled(payment_hash=minted.payment_hash, preimage=minted.preimage)

    assert again is not None and again.pk == tip.pk
    assert Tip.objects.get(pk=tip.pk).confirmed_at == first.confirmed_at
    assert TipEvent.objects.filter(tip=tip).count() == 1


def test_a_payment_report_for_an_unknown_hash_changes_nothing(creator, wallet):
    tip = make(creator)
    preimage = "22" * 32

    assert invoice_settled(payment_hash=preimage_hash(preimage), preimage=preimage) is None
    assert invoice_settled(payment_hash="not-a-hash", preimage=None) is None
    assert Tip.objects.get(pk=tip.pk).status == TipStatus.AWAITING_PAYMENT
    assert not TipEvent.objects.exists()


def test_a_payment_report_with_a_wrong_preimage_is_ignored(creator, wallet):
    tip = make(creator)
    minted = SimulatedInvoice.objects.get()

    assert invoice_settled(payment_hash=minted.payment_hash, preimage="33" * 32) is None
    assert Tip.objects.get(pk=tip.pk).status == TipStatus.AWAITING_PAYMENT
    assert LightningInvoice.objects.get(tip=tip).settled_at is None


def test_an_unpaid_lightning_tip_expires_with_its_invoice_and_a_late_report_still_counts(
    creator, wallet
):
    tip = make(creator)
    minted = SimulatedInvoice.objects.get()
    later = tip.expires_at + timedelta(seconds=1)

    tips_expire(now=later)
    assert Tip.objects.get(pk=tip.pk).status == TipStatus.EXPIRED

    # The wallet took the payment in time; its report comes late. Money received is counted.
    invoice_settled(payment_hash=minted.payment_hash, preimage=minted.preimage, now=later)
    tip.refresh_from_db()
    assert tip.status == TipStatus.CONFIRMED
    assert not tip.paid_late


def test_a_paid_unlock_opens_the_moment_its_invoice_is_settled(creator, wallet):
    from unlocks.selectors import purchase_grant
    from unlocks.services import item_create

    item = item_create(
        creator=creator, title="Cut", price_sats=50, target_url="https://files.example/x"
    )
    purchase = make(creator, amount_msat=50_000, unlock_item=item)
    assert purchase_grant(purchase) is None

    simulated_invoice_pay(tip=purchase)

    grant = purchase_grant(Tip.objects.get(pk=purchase.pk))
    assert grant is not None


def test_the_poll_finds_a_payment_the_wallet_never_announced(creator, wallet):
    tip = make(creator)
    minted = SimulatedInvoice.objects.get()
    SimulatedInvoice.objects.filter(pk=minted.pk).update(paid_at=timezone.now())

    settled = invoices_lookup_due(now=timezone.now() + timedelta(seconds=5))

    assert settled == 1
    assert Tip.objects.get(pk=tip.pk).status == TipStatus.CONFIRMED
    assert LightningInvoice.objects.get(tip=tip).next_lookup_at is None


def test_the_poll_backs_off_and_stops_after_the_invoice_expires(creator):
    connect_double(creator, lookup_unavailable=True)
    tip = make(creator)
    invoice = LightningInvoice.objects.get(tip=tip)
    now = timezone.now()

    delays = []
    for _ in range(4):
        now = invoice.next_lookup_at
        invoices_lookup_due(now=now)
        invoice.refresh_from_db()
        delays.append((invoice.next_lookup_at - now).total_seconds())
    assert delays == sorted(delays) and delays[0] < delays[-1]

    WalletDouble.behaviour = {}
    invoices_lookup_due(now=invoice.expires_at + timedelta(seconds=10))
    invoice.refresh_from_db()
    assert invoice.next_lookup_at is None
    assert invoice.settled_at is None
    assert invoice.lookups == 5


def test_the_poll_settles_through_the_wallet_lookup_with_its_preimage(creator):
    connect_double(creator)
    tip = make(creator)
    (preimage,) = WalletDouble.minted
    WalletDouble.settled[preimage_hash(preimage)] = preimage

    invoices_lookup_due(now=timezone.now() + timedelta(minutes=1))

    assert Tip.objects.get(pk=tip.pk).status == TipStatus.CONFIRMED
    assert LightningInvoice.objects.get(tip=tip).preimage == preimage
