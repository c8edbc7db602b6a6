"""Address allocation keeps every paid address inside a wallet's gap limit of 20."""

from datetime import timedelta

import pytest
from django.utils import timezone

from chain.models import ChainState
from payments.models import Address, Tip
from payments.onchain.addresses import gap_health
from payments.services import TipRefused, tip_create, tip_watched


def pay(address, chain):
    """Pay and mine: a wallet's gap scan counts addresses paid on chain."""
    chain.send([(address.address, 5000)])
    chain.mine(1)


@pytest.mark.parametrize("expired", [False, True], ids=["open", "expired-but-watched"])
def test_an_address_is_not_reused_while_its_tip_is_open_or_watched(
    make_tip, settings, watch, expired
):
    # `watch` keeps the watcher current, so recycling is allowed: only the tip's
    # reservation (open, then watched for late payments) keeps its address from reuse.
    first = make_tip(minutes_ago=settings.BITCACHE_TIP_EXPIRY_MINUTES + 5 if expired else 0)

    second = make_tip()

    assert second.address != first.address


def test_it_recycles_the_lowest_unused_address_once_watched_long_enough(make_tip, settings, watch):
    window = settings.BITCACHE_TIP_EXPIRY_MINUTES + settings.BITCACHE_TIP_MONITOR_HOURS * 60
    old = [make_tip(minutes_ago=window + 10) for _ in range(3)]

    new = make_tip()

    assert new.address == old[0].address
    assert new.address.index == 0
    assert Address.objects.count() == 3


def test_it_never_recycles_an_address_that_received_anything(make_tip, settings, chain, watch):
    window = settings.BITCACHE_TIP_EXPIRY_MINUTES + settings.BITCACHE_TIP_MONITOR_HOURS * 60
    paid = make_tip()
    pay(paid.address, chain)
    watch()
    Tip.objects.filter(pk=paid.pk).update(
        created_at=timezone.now() - timedelta(minutes=window + 10)
    )
    Address.objects.filter(pk=paid.address_id).update(reserved_until=timezone.now())

    new = make_tip()

    assert new.address != paid.address


def test_a_thousand_abandoned_tips_keep_paid_addresses_within_the_gap_limit(
    creator, settings, chain, watch
):
    # A tip opened every 5 minutes for three and a half days, most abandoned, one in 25
    # paid: every tip gets an address and a wallet with gap limit 20 sees every payment.
    clock = timezone.now() - timedelta(days=4)
    paid_indexes = []
    for number in range(1000):
        clock += timedelta(minutes=5)
        tip = tip_create(creator=creator, amount_sats=5000, now=clock)
        if number % 25 == 24:
            pay(tip.address, chain)
            watch()
            paid_indexes.append(tip.address.index)

    health = gap_health(tip.address.wallet_key)
    assert Tip.objects.count() == 1000
    assert len(paid_indexes) == 40
    assert health.healthy, health
    assert Address.objects.count() <= max(paid_indexes) + settings.BITCACHE_GAP_LIMIT + 1


def test_under_gap_pressure_it_recycles_addresses_whose_tip_expired_a_while_ago(
    make_tip, settings, watch
):
    settings.BITCACHE_MAX_OPEN_TIPS_PER_CREATOR = 10_000
    grace = settings.BITCACHE_TIP_RECYCLE_GRACE_MINUTES
    expired = [
        make_tip(minutes_ago=settings.BITCACHE_TIP_EXPIRY_MINUTES + grace + 1) for _ in range(20)
    ]

    new = make_tip()

    assert new.address == expired[0].address
    assert Address.objects.count() == 20


def test_it_refuses_rather_than_break_the_gap_limit(make_tip, settings):
    settings.BITCACHE_MAX_OPEN_TIPS_PER_CREATOR = 10_000
    for _ in range(20):
        make_tip(minutes_ago=settings.BITCACHE_TIP_EXPIRY_MINUTES + 1)  # expired, still watched

    with pytest.raises(TipRefused) as refused:
        make_tip()

    assert refused.value.code == "busy"
    assert Address.objects.order_by("-index").first().index == 19


def test_gap_health_reports_the_longest_unused_run_below_the_highest_paid(
    make_tip, chain, watch, settings
):
    settings.BITCACHE_MAX_OPEN_TIPS_PER_CREATOR = 100
    tips = [make_tip() for _ in range(8)]
    for index in (0, 1, 5, 7):
        pay(tips[index].address, chain)
    watch()

    health = gap_health(tips[0].address.wallet_key)

    assert health.highest_used_index == 7
    assert health.longest_unused_run == 3  # indexes 2, 3, 4
    assert health.healthy


def test_nothing_is_recycled_while_the_watcher_lags(make_tip, settings, chain, watch):
    # During an outage an address paid in time may not be marked used yet.
    window = settings.BITCACHE_TIP_EXPIRY_MINUTES + settings.BITCACHE_TIP_MONITOR_HOURS * 60
    old = make_tip(minutes_ago=window + 10)
    chain.send([(old.address.address, 5000)])
    chain.mine(1)  # not scanned yet: the watcher is one block behind
    watch_state = ChainState.load()
    ChainState.objects.update(tip_height=watch_state.height + 1)

    new = make_tip()

    assert new.address != old.address


def test_under_gap_pressure_an_abandoned_tips_address_goes_only_after_long_expired_ones(
    make_tip, settings, watch
):
    settings.BITCACHE_MAX_OPEN_TIPS_PER_CREATOR = 10_000
    unwatched = settings.BITCACHE_TIP_UNWATCHED_MINUTES
    watched = [make_tip(minutes_ago=unwatched + 1) for _ in range(10)]
    for tip in watched:
        tip_watched(tip=tip)
    abandoned = [make_tip(minutes_ago=unwatched + 1) for _ in range(9)]
    grace = settings.BITCACHE_TIP_RECYCLE_GRACE_MINUTES
    long_expired = make_tip(minutes_ago=settings.BITCACHE_TIP_EXPIRY_MINUTES + grace + 1)

    first, second = make_tip(), make_tip()

    assert first.address == long_expired.address
    assert second.address == abandoned[0].address
    assert Address.objects.count() == 20


def test_a_payment_to_an_abandoned_tip_is_still_credited_to_it(make_tip, settings, chain, watch):
    tip = make_tip(minutes_ago=settings.BITCACHE_TIP_UNWATCHED_MINUTES + 5)

    pay(tip.address, chain)
    watch()

    tip.refresh_from_db()
    assert (tip.status, tip.received_sats) == ("confirmed", 5000)
