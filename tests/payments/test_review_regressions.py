"""Defects found in review, each kept fixed by a test."""

from __future__ import annotations

from datetime import timedelta
from unittest import mock

import pytest
from django.utils import timezone

from chain import Block, BlockHeader, ChainSourceError
from chain.models import ChainState
from payments.models import Payment, PaymentState, TipStatus
from payments.onchain.watcher import ScanReport, scan_blocks, scan_mempool
from payments.services import TipRefused
from payments.tasks import watch_chain


def reload(tip):
    tip.refresh_from_db()
    return tip


def test_a_payment_to_a_tip_made_during_a_watcher_run_goes_to_that_tip(
    make_tip, chain, watch, settings
):
    window = settings.BITCACHE_TIP_EXPIRY_MINUTES + settings.BITCACHE_TIP_MONITOR_HOURS * 60
    old = make_tip(minutes_ago=window + 60)
    watch()
    run_started = timezone.now()
    new = make_tip(7000)  # recycles the old tip's address while the run is under way
    assert new.address_id == old.address_id
    chain.send([(new.address.address, 7000)])

    scan_blocks(chain, now=run_started, report=ScanReport())
    scan_mempool(chain, now=run_started, report=ScanReport())

    assert Payment.objects.get().tip_id == new.pk


def test_a_replaced_payment_does_not_let_allocation_pass_the_gap_limit(
    make_tip, chain, watch, settings
):
    settings.BITCACHE_MAX_OPEN_TIPS_PER_CREATOR = 1000
    tips = [make_tip() for _ in range(20)]  # indexes 0..19
    txid = chain.send([(tips[19].address.address, 5000)])
    watch()
    chain.replace(txid, [("bc1q8c6fshw2dlwun7ekn9qwf37cu2rn755upcp6el", 4900)])
    watch()

    # Nothing is on chain at index 19, so index 20 would be past a wallet's gap limit.
    with pytest.raises(TipRefused):
        make_tip()


def test_a_top_up_to_a_confirmed_tip_keeps_it_confirmed(make_tip, chain, watch):
    tip = make_tip(5000)
    chain.send([(tip.address.address, 5000)])
    chain.mine(1)
    watch()

    chain.send([(tip.address.address, 1000)])
    watch()

    assert reload(tip).status == TipStatus.CONFIRMED
    # Unchanged status: no tip.reverted is sent for a top-up.
    assert tip.received_sats == 6000 and tip.confirmed_sats == 5000


def test_a_fee_bump_after_expiry_of_a_payment_sent_in_time_is_not_late(
    make_tip, chain, watch, settings
):
    tip = make_tip(5000)
    txid = chain.send([(tip.address.address, 5000)])
    watch()
    chain.replace(txid, [(tip.address.address, 5000)])
    later = timezone.now() + timedelta(minutes=settings.BITCACHE_TIP_EXPIRY_MINUTES + 1)

    with mock.patch("payments.tasks.timezone.now", return_value=later):
        watch_chain()

    assert reload(tip).received_sats == 5000
    assert not tip.paid_late


def test_the_watcher_recovers_after_a_very_long_outage(chain, watch):
    # 60 failures in a row (five hours at the longest backoff): the doubling delay
    # used to overflow timedelta here and stop the watcher for good.
    ChainState.objects.update(
        consecutive_failures=60, last_error_at=timezone.now() - timedelta(hours=1)
    )

    assert watch_chain() is not None
    assert ChainState.load().consecutive_failures == 0


def test_a_source_contradicting_itself_fails_the_run_instead_of_spinning(make_tip, chain, watch):
    tip = make_tip(5000)
    chain.send([(tip.address.address, 5000)])
    chain.mine(1)

    class Contradicting(type(chain)):
        blocks_fetched = 0

        def block(self, block_hash):
            Contradicting.blocks_fetched += 1
            # A spinning watcher would fetch forever: stop it here and fail the test.
            assert Contradicting.blocks_fetched < 100, "the watcher keeps fetching blocks"
            block = super().block(block_hash)
            # Each next block claims a parent the source never reports as best.
            return Block(BlockHeader(block.height, block.hash, "00" * 32), block.transactions)

    with pytest.raises(ChainSourceError):
        scan_blocks(Contradicting(), now=timezone.now(), report=ScanReport())
    # Nothing a contradicting source said is trusted...
    assert reload(tip).status != TipStatus.CONFIRMED
    assert not Payment.objects.filter(state=PaymentState.CONFIRMED).exists()

    # ...and the next run, against an honest source, confirms the payment.
    watch()
    assert reload(tip).status == TipStatus.CONFIRMED
