"""Property: gap health, now computed in the database, reports what walking the key's
paid indexes one by one reports, whatever indexes were paid, left in the mempool,
replaced or never paid."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra.django import TestCase

from creators.selectors import wallet_key_active
from payments.models import Address, Payment, PaymentState, Tip
from payments.onchain.addresses import derive_address, gap_health, gap_health_scanned
from tests.factories import CreatorFactory

# Per index: what happened to its address (None: no payment at all).
fate = st.sampled_from([None, *PaymentState.values])


def walked(fates: list[str | None]) -> tuple[int, int]:
    """Highest index paid in a block and longest run of others below it, one by one."""
    longest, previous = 0, -1
    for index, state in enumerate(fates):
        if state == PaymentState.CONFIRMED:
            longest = max(longest, index - previous - 1)
            previous = index
    return previous, longest


class TestGapHealth(TestCase):
    @settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(st.lists(fate, max_size=60))
    def test_gap_health_equals_walking_the_paid_indexes(self, fates):
        creator = CreatorFactory(status="active")
        key = wallet_key_active(creator=creator)
        assert key is not None
        for index, state in enumerate(fates):
            address = Address.objects.create(
                creator=creator,
                wallet_key=key,
                index=index,
                change=False,
                address=derive_address(key, index),
                used=state is not None,
                reserved_until=timezone.now(),
            )
            if state is None:
                continue
            tip = Tip.objects.create(
                creator=creator,
                address=address,
                amount_sats=5000,
                minimum_sats=1000,
                expires_at=timezone.now(),
                watch_until=timezone.now(),
            )
            Payment.objects.create(
                tip=tip,
                address=address,
                txid=f"{key.pk:08x}{index:056x}",
                vout=0,
                value_sats=5000,
                state=state,
                block_height=1 if state == PaymentState.CONFIRMED else None,
            )

        health = gap_health(key)

        assert (health.highest_used_index, health.longest_unused_run) == walked(fates)


@pytest.mark.django_db
def test_the_overviews_gap_health_is_computed_once_per_scanned_block_and_follows_a_reorg(
    make_tip, chain, watch
):
    tips = [make_tip() for _ in range(6)]
    key = tips[0].address.wallet_key
    chain.send([(tips[0].address.address, 5000)])
    chain.mine(1)
    late = chain.send([(tips[5].address.address, 5000)])
    chain.mine(1)
    watch()

    first = gap_health_scanned(key)
    with CaptureQueriesContext(connection) as again:
        assert gap_health_scanned(key) == first
    chain.reorg(1, new_blocks=1, drop_txids=[late])  # same height, another block
    watch()
    after_reorg = gap_health_scanned(key)

    assert (first.highest_used_index, first.longest_unused_run) == (5, 4)
    assert len(again) == 1  # the scanned chain's state; no walk over the key's addresses
    assert (after_reorg.highest_used_index, after_reorg.longest_unused_run) == (0, 0)
