"""Rows the app never writes itself (an address without a tip, a confirmed payment
without its block height) must not stop the watcher for every other tip."""

from __future__ import annotations

from django.utils import timezone

from creators.models import WalletKey
from payments.models import Address, Payment, PaymentState, TipStatus
from payments.onchain.addresses import derive_address
from payments.selectors import tip_confirmations


def reload(tip):
    tip.refresh_from_db()
    return tip


def test_a_payment_to_an_address_without_a_tip_is_skipped_and_other_tips_still_confirm(
    creator, make_tip, chain, watch
):
    tip = make_tip(5000)
    key = WalletKey.objects.get(pk=tip.address.wallet_key_id)
    orphan = Address.objects.create(
        creator=creator,
        wallet_key=key,
        index=100,
        address=derive_address(key, 100),
        reserved_until=timezone.now(),
    )

    chain.send([(orphan.address, 7000), (tip.address.address, 5000)])
    chain.mine(1)
    watch()

    assert reload(tip).status == TipStatus.CONFIRMED
    assert list(Payment.objects.values_list("address__address", flat=True)) == [tip.address.address]


def test_a_confirmed_payment_without_its_block_height_counts_as_unconfirmed(make_tip, chain, watch):
    tip = make_tip(5000)
    chain.send([(tip.address.address, 5000)])
    watch()
    Payment.objects.filter(tip=tip).update(state=PaymentState.CONFIRMED)  # height left out
    other = make_tip(6000)
    chain.send([(other.address.address, 6000)])

    watch()  # both transactions still in the mempool: both tips are refreshed

    assert reload(other).status == TipStatus.IN_MEMPOOL
    assert reload(tip).status == TipStatus.IN_MEMPOOL
    assert tip.received_sats == 5000 and tip.confirmed_sats == 0
    assert tip_confirmations(tip) == 0
