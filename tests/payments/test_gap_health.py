"""Gap health: the recount (a window in the database) reports what walking the key's paid
indexes one by one reports; the value kept as payments move (payments.onchain.gaps) equals
the recount after any history the chain and the watcher go through; the overview reads it
without walking the key's addresses."""

import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra.django import TestCase

from btc.blocks import BlockHeader
from chain.simulated import SimulatedChain
from creators.selectors import wallet_key_active
from payments.models import Address, GapRun, GapState, Payment, PaymentState, Tip
from payments.onchain.addresses import derive_address, gap_health, gap_health_recount
from payments.services import Observed, payment_observe, tip_create
from payments.tasks import watch_chain, watch_mempool
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


def numbers(health) -> tuple[int, int]:
    return health.highest_used_index, health.longest_unused_run


class TestGapHealthRecount(TestCase):
    @settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(st.lists(fate, max_size=60))
    def test_the_recount_equals_walking_the_paid_indexes(self, fates):
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

        health = gap_health_recount(key)

        assert numbers(health) == walked(fates)


TIPS = 8
# What the chain does next: pay an address (a transaction into the mempool; or mined at
# once, alone in a block), mine a block
# with the whole mempool, confirm one pending payment alone, drop one from the mempool,
# replace one (RBF) by one paying another address, or reorganise the top blocks away
# (into a shorter chain, leaving their transactions in the mempool, or a longer one,
# forgetting some of them as if double-spent).
step = st.one_of(
    st.tuples(st.just("pay"), st.integers(0, TIPS - 1)),
    st.tuples(st.just("block"), st.integers(0, TIPS - 1)),
    st.tuples(st.just("mine"), st.just(0)),
    st.tuples(st.just("confirm"), st.integers(0, 50)),
    st.tuples(st.just("drop"), st.integers(0, 50)),
    st.tuples(st.just("replace"), st.integers(0, 50), st.integers(0, TIPS - 1)),
    st.tuples(st.just("reorg"), st.integers(1, 3), st.integers(0, 3), st.booleans()),
)


class TestGapHealthKept(TestCase):
    @settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(st.lists(step, min_size=1, max_size=14))
    def test_the_kept_gap_health_equals_the_recount_after_every_block_reorg_and_replacement(
        self, steps
    ):
        chain = SimulatedChain.from_settings()
        chain.ensure_genesis()
        creator = CreatorFactory(status="active")
        tips = [tip_create(creator=creator, amount_sats=5000) for _ in range(TIPS)]
        key = tips[0].address.wallet_key
        self.watch()
        pending: list[str] = []  # txids in the mempool, as the chain holds them
        mined: list[list[str]] = []  # txids of each block above genesis we mined
        for action, *args in steps:
            if action == "pay":
                pending.append(chain.send([(tips[args[0]].address.address, 5000)]))
            elif action == "block":  # paid, and mined alone in a block
                txid = chain.send([(tips[args[0]].address.address, 5000)])
                chain.confirm(txid)
                mined.append([txid])
            elif action == "mine":
                chain.mine(1)
                mined.append(pending)
                pending = []
            elif action == "confirm" and pending:
                txid = pending.pop(args[0] % len(pending))
                chain.confirm(txid)
                mined.append([txid])
            elif action == "drop" and pending:
                chain.drop(pending.pop(args[0] % len(pending)))
            elif action == "replace" and pending:
                old = pending.pop(args[0] % len(pending))
                pending.append(chain.replace(old, [(tips[args[1]].address.address, 5000)]))
            elif action == "reorg" and mined:
                depth, new_blocks, forget = min(args[0], len(mined)), args[1], args[2]
                moved = [txid for block in mined[len(mined) - depth :] for txid in block]
                del mined[len(mined) - depth :]
                dropped = moved[:1] if forget and moved else []
                chain.reorg(depth, new_blocks=new_blocks, drop_txids=dropped)
                back = [txid for txid in moved if txid not in dropped]
                if new_blocks:
                    mined.append(back)  # the first new block takes them back
                    mined.extend([] for _ in range(new_blocks - 1))
                else:
                    pending = back + pending
            self.watch()

            assert numbers(gap_health(key)) == numbers(gap_health_recount(key)), steps

    def watch(self):
        assert watch_chain() is not None
        assert watch_mempool() is not None


@pytest.mark.django_db
def test_the_overview_reads_gap_health_without_walking_and_follows_a_reorg(make_tip, chain, watch):
    tips = [make_tip() for _ in range(6)]
    key = tips[0].address.wallet_key
    chain.send([(tips[0].address.address, 5000)])
    chain.mine(1)
    late = chain.send([(tips[5].address.address, 5000)])
    chain.mine(1)
    watch()

    with CaptureQueriesContext(connection) as read:
        first = gap_health(key)
    chain.reorg(1, new_blocks=1, drop_txids=[late])  # same height, another block
    watch()
    after_reorg = gap_health(key)

    assert numbers(first) == (5, 4)
    assert len(read) == 2  # the highest paid index, the longest run: no walk
    assert numbers(after_reorg) == (0, 0)


@pytest.mark.django_db
def test_a_payment_back_in_a_block_after_a_reorg_is_paid_again(make_tip, chain, watch):
    tips = [make_tip() for _ in range(5)]
    key = tips[0].address.wallet_key
    for tip in (tips[1], tips[4]):
        chain.send([(tip.address.address, 5000)])
    chain.mine(1)
    watch()
    chain.send([(tips[2].address.address, 5000)])
    chain.mine(1)
    watch()
    assert numbers(gap_health(key)) == (4, 1)

    chain.reorg(1, new_blocks=0)  # index 2's payment is back in the mempool
    watch()
    assert numbers(gap_health(key)) == (4, 2)

    chain.mine(1)
    watch()
    assert numbers(gap_health(key)) == (4, 1)


@pytest.mark.django_db
def test_gap_health_rebuild_recounts_from_the_payments(make_tip, chain, watch):
    tips = [make_tip() for _ in range(7)]
    other = tips[0].address.wallet_key
    for tip in (tips[2], tips[6]):
        chain.send([(tip.address.address, 5000)])
    chain.mine(1)
    watch()
    # Lost, or written behind the watcher's back (a restore): the rebuild recounts.
    GapRun.objects.all().delete()
    GapState.objects.update(highest_paid_index=0)

    call_command("gap_health_rebuild", stdout=open("/dev/null", "w"))  # noqa: SIM115

    assert numbers(gap_health(other)) == (6, 3)
    assert sorted(GapRun.objects.values_list("start", "length")) == [(0, 2), (3, 3)]


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_transactions_confirming_neighbouring_indexes_at_once_both_count():
    """Both split the one run [0, 3): the second waits for the first's key lock, then
    sees its split. No deadlock, and the result is the recount's."""
    creator = CreatorFactory(status="active")
    tips = [tip_create(creator=creator, amount_sats=5000) for _ in range(4)]
    key = tips[0].address.wallet_key

    def observe(tip: Tip, height: int) -> None:
        header = BlockHeader(height=height, hash=f"{height:064x}", prev_hash="0" * 64)
        assert tip.address is not None  # an on-chain tip
        payment_observe(
            Observed(tip.address, f"{tip.pk:064x}", 0, 5000, header), now=timezone.now()
        )

    with transaction.atomic():
        observe(tips[3], 1)
    assert numbers(gap_health(key)) == (3, 3)

    first_holds_lock = threading.Event()
    first_pid: list[int] = []

    def first() -> None:
        try:
            with transaction.atomic():
                observe(tips[1], 2)
                first_pid.append(connection.connection.info.backend_pid)
                first_holds_lock.set()
                # Commit only once the second transaction waits for the key's lock.
                assert waiting_for(first_pid[0]), "the second transaction never waited"
        finally:
            connection.close()

    def second() -> None:
        try:
            assert first_holds_lock.wait(30)
            with transaction.atomic():
                observe(tips[2], 2)
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=2) as pool:
        done = [pool.submit(first), pool.submit(second)]
        for future in done:
            future.result(timeout=60)

    assert numbers(gap_health(key)) == numbers(gap_health_recount(key)) == (3, 1)
    assert list(GapRun.objects.filter(wallet_key=key).values_list("start", "length")) == [(0, 1)]


def waiting_for(pid: int) -> bool:
    """Whether another session is blocked by `pid`'s locks (polled until it is, 30 s at most)."""
    deadline = timezone.now() + timedelta(seconds=30)
    with connection.cursor() as cursor:
        while timezone.now() < deadline:
            # pg_locks, not pg_stat_activity: that one is a snapshot for the transaction.
            cursor.execute(
                "SELECT count(*) FROM pg_locks "
                "WHERE NOT granted AND %s = ANY(pg_blocking_pids(pid))",
                [pid],
            )
            if cursor.fetchone()[0]:
                return True
            cursor.execute("SELECT pg_sleep(0.01)")
    return False
