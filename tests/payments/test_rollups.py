"""The confirmed-tip rollups the overview reads always equal a recount from the tips:
after any history of payments, blocks, replacements, drops and reorgs, from the block scan
and the mempool watcher alike; and `rollups_rebuild` recounts them."""

from __future__ import annotations

from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, timedelta
from io import StringIO
from threading import Barrier

import pytest
from django.core.management import call_command
from django.db import connection
from django.utils import timezone
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from hypothesis.extra.django import TestCase

from chain.simulated import SimulatedChain
from payments.models import Tip, TipDayTotal, TipSourceTotal, TipStatus
from payments.reports import tips_overview, tips_per_video, tips_per_widget
from payments.rollups import rollups_rebuild
from payments.services import tip_create, tips_refresh
from payments.tasks import watch_chain, watch_mempool
from tests.factories import CreatorFactory
from tests.payments import histories
from widgets.services import widget_create

TIPS = 5

action = st.one_of(
    st.tuples(st.just("pay"), st.integers(0, TIPS - 1), st.integers(1, 20_000)),
    st.tuples(st.just("mine"), st.integers(1, 3)),
    st.tuples(st.just("replace"), st.integers(0, 50), st.booleans()),
    st.tuples(st.just("drop"), st.integers(0, 50)),
    st.tuples(st.just("reorg"), st.integers(1, 3), st.booleans()),
    st.tuples(st.just("watch")),
)


def recount() -> tuple[Counter, Counter]:
    """(tips, sats) by (creator, day) and by (creator, widget, video), from the tips."""
    days: Counter = Counter()
    sources: Counter = Counter()
    for tip in Tip.objects.filter(status=TipStatus.CONFIRMED):
        day = tip.created_at.astimezone(UTC).date()
        for counter, key in (
            (days, (tip.creator_id, day)),
            (sources, (tip.creator_id, tip.widget_id, tip.video_id)),
        ):
            counter[(*key, "count")] += 1
            counter[(*key, "sats")] += tip.confirmed_sats
    return days, sources


def rolled_up() -> tuple[Counter, Counter]:
    """The same, as the rollup tables hold it (rows at zero left out, as in a recount)."""
    days: Counter = Counter()
    sources: Counter = Counter()
    for row in TipDayTotal.objects.all():
        days[(row.creator_id, row.day, "count")] += row.count
        days[(row.creator_id, row.day, "sats")] += row.sats
    for source in TipSourceTotal.objects.all():
        key = (source.creator_id, source.widget_id, source.video_id)
        sources[(*key, "count")] += source.count
        sources[(*key, "sats")] += source.sats
    return +days, +sources  # unary + drops the zeros


class TestRollupsEqualARecount(TestCase):
    @settings(
        max_examples=30,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )
    @given(st.lists(action, max_size=25))
    # A top-up of a confirmed tip (its sats move, not its status), and a confirmed
    # payment double-spent away in a reorg, always tried.
    @example([("pay", 1, 5000), ("mine", 1), ("watch",), ("pay", 1, 3000), ("mine", 1)])
    @example([("pay", 2, 5000), ("mine", 2), ("watch",), ("reorg", 2, True), ("mine", 2)])
    def test_the_rollups_equal_a_recount_after_any_history(self, actions):
        chain = SimulatedChain.from_settings()
        chain.ensure_genesis()
        creator = CreatorFactory(status="active", min_tip_sats=1000)
        widget = widget_create(
            creator=creator, label="Under videos", min_tip_sats=1000, video_id="vid-1"
        )
        tips = [
            tip_create(creator=creator, amount_sats=5000, widget=widget if n % 2 else None)
            for n in range(TIPS)
        ]
        # Made on different days (two of them on one), with and without a video.
        for n, tip in enumerate(tips):
            Tip.objects.filter(pk=tip.pk).update(
                created_at=timezone.now() - timedelta(days=n // 2),
                video_id="" if n == 0 else tip.video_id or "vid-2",
            )
        addresses = [t.address.address for t in tips]
        assert watch_chain() is not None
        assert watch_mempool() is not None
        sent: list[str] = []
        for step in actions:
            kind = step[0]
            mempool = [t for t in sent if t in (chain.mempool_txids() or set())]
            if kind == "pay":
                sent.append(chain.send([(addresses[step[1]], step[2])]))
            elif kind == "mine":
                chain.mine(step[1])
            elif kind == "replace" and mempool:
                txid = mempool[step[1] % len(mempool)]
                target = addresses[step[1] % TIPS] if step[2] else histories_other()
                sent.append(chain.replace(txid, [(target, 777)]))
            elif kind == "drop" and mempool:
                chain.drop(mempool[step[1] % len(mempool)])
            elif kind == "reorg" and chain.tip().height >= step[1]:
                histories.reorg(chain, step[1], sent, double_spend=step[2])
            elif kind == "watch":
                assert watch_chain() is not None
                assert watch_mempool() is not None
                assert rolled_up() == recount(), actions
        assert watch_chain() is not None
        assert watch_mempool() is not None

        assert rolled_up() == recount(), actions
        overview = tips_overview(creator=creator)
        confirmed = Tip.objects.filter(creator=creator, status=TipStatus.CONFIRMED)
        assert overview.confirmed.count == confirmed.count()
        assert overview.confirmed.sats == sum(t.confirmed_sats for t in confirmed)
        # The recount from scratch finds the same rows.
        rollups_rebuild()
        assert rolled_up() == recount(), actions


def histories_other() -> str:
    return "bc1q8c6fshw2dlwun7ekn9qwf37cu2rn755upcp6el"  # nobody's address


pytestmark = pytest.mark.django_db


def test_a_deleted_widgets_tips_count_with_the_tip_page(chain, watch, pay):
    creator = CreatorFactory(status="active", min_tip_sats=1000)
    widget = widget_create(creator=creator, label="Old widget", min_tip_sats=1000, video_id="")
    pay(tip_create(creator=creator, amount_sats=5000, widget=widget))
    pay(tip_create(creator=creator, amount_sats=3000))

    widget.delete()  # its tips now belong to no widget (SET_NULL)

    assert [(line.key, line.count, line.sats) for line in tips_per_widget(creator=creator)] == [
        ("", 2, 8000)
    ]


def test_a_tip_taken_back_by_a_reorg_leaves_the_totals(chain, watch, pay):
    creator = CreatorFactory(status="active", min_tip_sats=1000)
    tip = tip_create(creator=creator, amount_sats=5000, video_id="vid-9")
    pay(tip)
    assert tips_overview(creator=creator).confirmed.sats == 5000

    chain.reorg(1, drop_txids=[p.txid for p in tip.payments.all()])
    watch()

    assert tips_overview(creator=creator).confirmed.count == 0
    assert tips_per_video(creator=creator) == []


def test_the_rebuild_command_recounts_what_was_lost(chain, watch, pay):
    creator = CreatorFactory(status="active", min_tip_sats=1000)
    pay(tip_create(creator=creator, amount_sats=5000))
    TipDayTotal.objects.all().delete()
    TipSourceTotal.objects.all().delete()
    assert tips_overview(creator=creator).confirmed.count == 0

    out = StringIO()
    call_command("rollups_rebuild", "--creator", creator.handle, stdout=out)

    assert tips_overview(creator=creator).confirmed.sats == 5000
    assert "2 rollup rows written" in out.getvalue()


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_crediting_runs_touching_the_same_rows_in_opposite_orders_never_deadlock(chain):
    """The block scan and the mempool watcher credit apart. Each run below confirms one
    tip of each of two days, the first run in the order (day 1, day 2) by tip id, the
    other (day 2, day 1): rollup rows taken in tip order would deadlock."""
    creator = CreatorFactory(status="active", min_tip_sats=1000)
    tips = [tip_create(creator=creator, amount_sats=5000) for _ in range(4)]
    now = timezone.now()
    for tip, days_ago in zip(tips, (0, 1, 1, 0), strict=True):
        Tip.objects.filter(pk=tip.pk).update(
            created_at=now - timedelta(days=days_ago),
            status=TipStatus.CONFIRMED,
            confirmed_sats=5000,
            received_sats=5000,
        )
    # Status written by hand, as if confirmed: make them unconfirmed again through
    # tips_refresh (no payments), twice over, in parallel.
    rollups_rebuild()
    start = Barrier(2)

    def refresh(ids: set[int]) -> None:
        try:
            start.wait()
            tips_refresh(ids, now=now)
        finally:
            connection.close()

    for _ in range(5):
        with ThreadPoolExecutor(max_workers=2) as pool:
            runs = [
                pool.submit(refresh, {tips[0].pk, tips[1].pk}),
                pool.submit(refresh, {tips[2].pk, tips[3].pk}),
            ]
            for run in runs:
                run.result()  # a deadlock would raise here
        Tip.objects.filter(pk__in=[t.pk for t in tips]).update(
            status=TipStatus.CONFIRMED, confirmed_sats=5000, received_sats=5000
        )
        rollups_rebuild()

    assert tips_overview(creator=creator).confirmed.count == 4
