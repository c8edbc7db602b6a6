"""Rollups of confirmed tips, kept as tips move: what the dashboard's overview reads.

A tip counts in the rollups while it is confirmed, for its `confirmed_sats`, on the day
it was made (UTC) and under its widget and video. `tip_refresh`, the one place a tip's
status and confirmed sats are written from its payments (block scan, mempool watcher,
reorgs, Lightning settlement alike), hands the difference its move makes to a
`RollupDeltas` of its transaction: confirming adds, a reversal or a reorg subtracts, a
top-up adds its sats. The deltas are written at the end, in the transaction of the move.

Lock order: the block scan and the mempool watcher credit concurrently, and two
transactions taking rollup rows in different orders could deadlock. The deltas of a
transaction are therefore written last (tips_refresh locks its tips first, in id order),
all TipDayTotal rows before any TipSourceTotal row, each table's rows sorted by key, so
every transaction takes them in one global order. `rollups_rebuild` locks both tables, in
that order too.

The rollup is derived data: `rollups_rebuild` (also the management command) recounts it
from the tips, and a property test compares it with a recount after random histories.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, date, datetime

from django.db import connection, transaction
from django.db.models import Count, Sum
from django.db.models.functions import TruncDate

from payments.models import Tip, TipDayTotal, TipSourceTotal, TipStatus

DayKey = tuple[int, date]  # creator, day
SourceKey = tuple[int, int | None, str]  # creator, widget, video


def tip_day(created_at: datetime) -> date:
    """The day a tip counts on: the day (UTC) the viewer made it."""
    return created_at.astimezone(UTC).date()


def counted(status: str, confirmed_sats: int) -> tuple[int, int]:
    """What a tip in this state adds to the rollups: (tips, sats)."""
    return (1, confirmed_sats) if status == TipStatus.CONFIRMED else (0, 0)


class RollupDeltas:
    """The changes one transaction makes to the rollups, written by `write` in lock order."""

    def __init__(self) -> None:
        self.days: defaultdict[DayKey, list[int]] = defaultdict(lambda: [0, 0])
        self.sources: defaultdict[SourceKey, list[int]] = defaultdict(lambda: [0, 0])

    def tip_moved(self, tip: Tip, *, before: tuple[str, int], after: tuple[str, int]) -> None:
        """`tip` went from (status, confirmed_sats) `before` to `after`."""
        old_count, old_sats = counted(*before)
        new_count, new_sats = counted(*after)
        count, sats = new_count - old_count, new_sats - old_sats
        if not count and not sats:
            return
        for bucket in (
            self.days[(tip.creator_id, tip_day(tip.created_at))],
            self.sources[(tip.creator_id, tip.widget_id, tip.video_id)],
        ):
            bucket[0] += count
            bucket[1] += sats

    def write(self) -> None:
        """Add the deltas to the rollup rows (created as needed), in the global lock order.

        Call inside the transaction of the moves, after every tip row it locks.
        """
        days = sorted((key, delta) for key, delta in self.days.items() if any(delta))
        sources = sorted(
            ((key, delta) for key, delta in self.sources.items() if any(delta)),
            key=lambda item: (item[0][0], item[0][1] is not None, item[0][1] or 0, item[0][2]),
        )
        self.days.clear()
        self.sources.clear()
        with connection.cursor() as cursor:
            for (creator_id, day), (count, sats) in days:
                cursor.execute(
                    f"INSERT INTO {_DAY} (creator_id, day, count, sats) VALUES (%s, %s, %s, %s) "  # noqa: S608
                    f"ON CONFLICT (creator_id, day) DO UPDATE SET "
                    f"count = {_DAY}.count + excluded.count, sats = {_DAY}.sats + excluded.sats",
                    [creator_id, day, count, sats],
                )
            for (creator_id, widget_id, video_id), (count, sats) in sources:
                # Each partial unique index is named by its columns and its condition.
                target = (
                    "(creator_id, video_id) WHERE widget_id IS NULL"
                    if widget_id is None
                    else "(creator_id, widget_id, video_id) WHERE widget_id IS NOT NULL"
                )
                cursor.execute(
                    f"INSERT INTO {_SOURCE} (creator_id, widget_id, video_id, count, sats) "  # noqa: S608
                    f"VALUES (%s, %s, %s, %s, %s) ON CONFLICT {target} DO UPDATE SET "
                    f"count = {_SOURCE}.count + excluded.count, "
                    f"sats = {_SOURCE}.sats + excluded.sats",
                    [creator_id, widget_id, video_id, count, sats],
                )


# Table names are the models' own, never user input.
_DAY = TipDayTotal._meta.db_table
_SOURCE = TipSourceTotal._meta.db_table


def rollups_rebuild(*, creator_id: int | None = None) -> int:
    """Recount the rollups from the tips (all creators, or one). How many rows written.

    Both tables are locked for the recount (in the writers' order), so a tip moving
    meanwhile is either in the recount or adds its delta after it, never both.
    """
    confirmed = Tip.objects.filter(status=TipStatus.CONFIRMED)
    days = TipDayTotal.objects.all()
    sources = TipSourceTotal.objects.all()
    if creator_id is not None:
        confirmed = confirmed.filter(creator_id=creator_id)
        days = days.filter(creator_id=creator_id)
        sources = sources.filter(creator_id=creator_id)
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute(f"LOCK TABLE {_DAY}, {_SOURCE} IN EXCLUSIVE MODE")
        days.delete()
        sources.delete()
        by_day = (
            confirmed.annotate(day=TruncDate("created_at", tzinfo=UTC))
            .values("creator_id", "day")
            .annotate(count=Count("pk"), sats=Sum("confirmed_sats"))
            .order_by()
        )
        by_source = (
            confirmed.values("creator_id", "widget_id", "video_id")
            .annotate(count=Count("pk"), sats=Sum("confirmed_sats"))
            .order_by()
        )
        day_rows = TipDayTotal.objects.bulk_create(
            (TipDayTotal(**row) for row in by_day.iterator()), batch_size=1000
        )
        source_rows = TipSourceTotal.objects.bulk_create(
            (TipSourceTotal(**row) for row in by_source.iterator()), batch_size=1000
        )
    return len(day_rows) + len(source_rows)
