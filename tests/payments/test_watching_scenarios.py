"""Scenarios on the simulated chain: every tip status and flag, as a viewer or creator sees it."""

from datetime import timedelta

from django.utils import timezone

from chain import ChainSourceError
from chain.models import ChainState
from chain.simulated import SimulatedChain
from payments.models import Payment, PaymentState, Tip, TipStatus
from payments.tasks import watch_chain


def reload(tip: Tip) -> Tip:
    tip.refresh_from_db()
    return tip


def test_a_payment_moves_the_tip_to_in_mempool_then_confirmed(make_tip, chain, watch):
    tip = make_tip(5000)

    txid = chain.send([(tip.address.address, 5000)])
    watch()
    assert reload(tip).status == TipStatus.IN_MEMPOOL
    assert tip.received_sats == 5000 and tip.confirmed_sats == 0

    chain.mine(1)
    watch()
    assert reload(tip).status == TipStatus.CONFIRMED
    assert tip.confirmed_sats == 5000
    payment = Payment.objects.get()
    assert (payment.txid, payment.state) == (txid, PaymentState.CONFIRMED)
    assert not (tip.paid_late or tip.below_minimum or tip.overpaid)


def test_a_payment_mined_before_the_mempool_was_looked_at_is_still_found(make_tip, chain, watch):
    tip = make_tip(5000)

    chain.send([(tip.address.address, 5000)])
    chain.mine(1)
    watch()

    assert reload(tip).status == TipStatus.CONFIRMED


def test_it_waits_for_the_creator_confirmations(creator, make_tip, chain, watch):
    creator.confirmations_required = 3
    creator.save()
    tip = make_tip(5000)
    chain.send([(tip.address.address, 5000)])

    chain.mine(2)
    watch()
    assert reload(tip).status == TipStatus.IN_MEMPOOL

    chain.mine(1)
    watch()
    assert reload(tip).status == TipStatus.CONFIRMED


def test_an_unpaid_tip_expires_after_its_window(make_tip, watch, settings):
    tip = make_tip(minutes_ago=settings.BITCACHE_TIP_EXPIRY_MINUTES + 1)
    fresh = make_tip()

    watch()

    assert reload(tip).status == TipStatus.EXPIRED
    assert reload(fresh).status == TipStatus.AWAITING_PAYMENT


def test_a_late_payment_is_credited_and_flagged(make_tip, chain, watch, settings):
    tip = make_tip(5000, minutes_ago=settings.BITCACHE_TIP_EXPIRY_MINUTES + 30)
    watch()
    assert reload(tip).status == TipStatus.EXPIRED

    chain.send([(tip.address.address, 5000)])
    chain.mine(1)
    watch()

    assert reload(tip).status == TipStatus.CONFIRMED
    assert tip.paid_late and tip.confirmed_sats == 5000


def test_a_payment_below_the_minimum_is_credited_and_flagged(make_tip, chain, watch):
    tip = make_tip(5000)

    chain.send([(tip.address.address, 300)])
    chain.mine(1)
    watch()

    assert reload(tip).status == TipStatus.CONFIRMED
    assert tip.below_minimum and tip.confirmed_sats == 300


def test_an_overpayment_is_credited_and_flagged(make_tip, chain, watch):
    tip = make_tip(5000)

    chain.send([(tip.address.address, 7000)])
    watch()

    assert reload(tip).overpaid
    assert tip.received_sats == 7000


def test_partial_payments_add_up(make_tip, chain, watch):
    tip = make_tip(5000)

    chain.send([(tip.address.address, 2000)])
    chain.send([(tip.address.address, 3000), (tip.address.address, 1)])
    chain.mine(1)
    watch()

    assert reload(tip).confirmed_sats == 5001
    assert Payment.objects.count() == 3


def test_a_replaced_payment_moves_the_tip_back_and_is_never_counted_twice(make_tip, chain, watch):
    tip = make_tip(5000)
    txid = chain.send([(tip.address.address, 5000)])
    watch()
    assert reload(tip).status == TipStatus.IN_MEMPOOL

    chain.replace(txid, [("bc1qnjg0jd8228aq7egyzacy8cys3knf9xvrerkf9g", 4000)])
    watch()

    assert reload(tip).status == TipStatus.AWAITING_PAYMENT
    assert tip.received_sats == 0
    assert Payment.objects.get(txid=txid).state == PaymentState.REPLACED


def test_a_replacement_paying_the_same_tip_is_credited_once(make_tip, chain, watch):
    tip = make_tip(5000)
    txid = chain.send([(tip.address.address, 5000)])
    watch()

    new_txid = chain.replace(txid, [(tip.address.address, 5000)])
    chain.mine(1)
    watch()

    assert reload(tip).status == TipStatus.CONFIRMED
    assert tip.confirmed_sats == 5000
    states = dict(Payment.objects.values_list("txid", "state"))
    assert states == {txid: PaymentState.REPLACED, new_txid: PaymentState.CONFIRMED}


def test_a_dropped_payment_moves_the_tip_back(make_tip, chain, watch):
    tip = make_tip(5000)
    txid = chain.send([(tip.address.address, 5000)])
    watch()

    chain.drop(txid)
    watch()

    assert reload(tip).status == TipStatus.AWAITING_PAYMENT


def test_a_reorg_moves_the_tip_back_and_forward_again(make_tip, chain, watch):
    tip = make_tip(5000)
    txid = chain.send([(tip.address.address, 5000)])
    chain.mine(1)
    watch()
    assert reload(tip).status == TipStatus.CONFIRMED

    chain.reorg(1, new_blocks=2, drop_txids=[txid])
    report = watch()
    assert report["reorgs"] == 1
    assert reload(tip).status == TipStatus.AWAITING_PAYMENT
    assert Payment.objects.get().state == PaymentState.REORGED

    chain.send([(tip.address.address, 5000)])
    chain.mine(1)
    watch()
    assert reload(tip).status == TipStatus.CONFIRMED
    assert tip.confirmed_sats == 5000


def test_a_reorged_transaction_that_returns_to_the_mempool_is_confirmed_again(
    make_tip, chain, watch
):
    tip = make_tip(5000)
    chain.send([(tip.address.address, 5000)])
    chain.mine(1)
    watch()

    chain.reorg(1, new_blocks=0)
    watch()
    assert reload(tip).status == TipStatus.IN_MEMPOOL

    chain.mine(1)
    watch()
    assert reload(tip).status == TipStatus.CONFIRMED
    assert Payment.objects.count() == 1


def test_watching_twice_changes_nothing(make_tip, chain, watch):
    tip = make_tip(5000)
    chain.send([(tip.address.address, 5000)])
    chain.mine(1)
    watch()
    before = list(Payment.objects.values())

    watch()

    assert list(Payment.objects.values()) == before
    assert reload(tip).confirmed_sats == 5000


def test_a_suspended_creator_still_gets_tips_already_made(creator, make_tip, chain, watch):
    tip = make_tip(5000)
    creator.status = "suspended"
    creator.save()

    chain.send([(tip.address.address, 5000)])
    chain.mine(1)
    watch()

    assert reload(tip).status == TipStatus.CONFIRMED


def test_a_payment_to_a_recycled_address_goes_to_the_newest_tip(make_tip, chain, watch, settings):
    window = settings.BITCACHE_TIP_EXPIRY_MINUTES + settings.BITCACHE_TIP_MONITOR_HOURS * 60
    old = make_tip(5000, minutes_ago=window + 1)
    new = make_tip(6000)
    assert new.address == old.address

    chain.send([(new.address.address, 6000)])
    watch()

    assert reload(new).received_sats == 6000
    assert reload(old).received_sats == 0


def test_an_outage_is_retried_with_backoff_and_loses_nothing(make_tip, chain, watch, monkeypatch):
    tip = make_tip(5000)
    chain.send([(tip.address.address, 5000)])
    chain.mine(3)

    def down(self):
        raise ChainSourceError("simulated outage")

    with monkeypatch.context() as patch:
        patch.setattr(SimulatedChain, "tip", down)
        assert watch_chain() is None
        state = ChainState.load()
        assert state.consecutive_failures == 1 and "outage" in state.last_error
        assert watch_chain() is None  # backing off: not even tried
        assert ChainState.load().consecutive_failures == 1

    ChainState.objects.update(last_error_at=timezone.now() - timedelta(minutes=10))
    watch()

    assert reload(tip).status == TipStatus.CONFIRMED
    assert ChainState.load().consecutive_failures == 0
