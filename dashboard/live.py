"""The creator's dashboard on the push channel: what a dashboard has not shown yet.

A dashboard page follows its creator's TipEvent rows (the payments outbox: one per
status move, written in the move's transaction). Each read returns the tips whose
rows changed, rendered with the table's own row template, and the overview totals.

The cursor: TipEvent ids come from a sequence at INSERT, but transactions commit in
any order: event 11 can be visible while event 10's transaction has not committed
yet. "id > last id sent" alone would skip event 10 for good. So the cursor a page
holds is `<last id>:<read time>:<snapshot>`, where the snapshot is PostgreSQL's
`pg_current_snapshot()` taken by the very statement that read the events. The next
read takes the events after the last id, and the events at or before it (made in a
short window before the read) that the snapshot could not see: exactly those it has
not sent, each once, whenever its transaction commits, even across a reconnection
(the cursor is the SSE id: the browser sends it back as Last-Event-ID). A transaction
open for longer than LATE_WINDOW before that read is the one case left to the next
page load.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from django.db import connection
from django.template.loader import render_to_string

from creators.models import Creator
from creators.scoping import owned_by
from dashboard.rows import TipRow, tip_rows
from payments import reports
from payments.models import TipEvent

# How long before a read an uncommitted event may have been made and still be sent when
# its transaction commits (status moves commit in well under a second).
LATE_WINDOW = timedelta(minutes=10)
# A cursor older than this reads as a new page's (a tab left asleep for days).
MAX_CURSOR_AGE = timedelta(days=1)
# At most this many tips per read; more waiting are read next time.
TIPS_PER_READ = 50

_SNAPSHOT = re.compile(r"^\d+:\d+:(\d+(,\d+)*)?$")
_XID_WRAP = 1 << 32


@dataclass(frozen=True)
class Snapshot:
    """A PostgreSQL snapshot (`xmin:xmax:xip,...`): which transactions it could see."""

    xmin: int
    xmax: int
    xip: frozenset[int]

    @classmethod
    def parse(cls, text: str) -> Snapshot | None:
        if not _SNAPSHOT.match(text):
            return None
        xmin, xmax, xip = text.split(":")
        return cls(int(xmin), int(xmax), frozenset(int(x) for x in xip.split(",") if x))

    def __str__(self) -> str:
        return f"{self.xmin}:{self.xmax}:{','.join(str(x) for x in sorted(self.xip))}"

    def saw(self, xid32: int) -> bool:
        """Whether a row written by transaction `xid32` (a 32-bit `xmin`, committed now)
        was visible to this snapshot. Rows in the read window are minutes old: their
        64-bit id is the one nearest this snapshot's."""
        delta = (xid32 - self.xmax) % _XID_WRAP
        xid = self.xmax + delta if delta < _XID_WRAP // 2 else self.xmax + delta - _XID_WRAP
        return xid < self.xmin or (xid < self.xmax and xid not in self.xip)


@dataclass(frozen=True)
class Cursor:
    after: int
    read_at: float  # epoch seconds
    snapshot: Snapshot

    @classmethod
    def parse(cls, text: str) -> Cursor | None:
        after, _, rest = text.partition(":")
        read_at, _, snapshot_text = rest.partition(":")
        snapshot = Snapshot.parse(snapshot_text)
        if not (after.isdigit() and read_at.isdigit()) or snapshot is None:
            return None
        return cls(int(after), float(read_at), snapshot)

    def __str__(self) -> str:
        return f"{self.after}:{int(self.read_at)}:{self.snapshot}"


def _with_snapshot(sql: str, params: Any) -> tuple[Snapshot, list[tuple[Any, ...]]]:
    """Rows of `sql` and the snapshot the same statement read them with."""
    with connection.cursor() as db:
        db.execute(
            f"SELECT pg_current_snapshot()::text, q.* FROM (SELECT 1) AS one "  # noqa: S608
            f"LEFT JOIN ({sql}) AS q ON TRUE",
            params,
        )
        rows = db.fetchall()
    snapshot = Snapshot.parse(rows[0][0])
    assert snapshot is not None
    return snapshot, [row[1:] for row in rows if row[1] is not None]


def dashboard_cursor(creator: Creator) -> Cursor:
    """Where a page rendered now starts following: its creator's events so far.
    Taken before the page reads its tips, so nothing falls between the two."""
    latest = owned_by(creator, TipEvent).order_by("-pk").values_list("pk")[:1]
    snapshot, rows = _with_snapshot(*latest.query.sql_with_params())
    return Cursor(rows[0][0] if rows else 0, time.time(), snapshot)


def cursor_or_now(creator: Creator, text: str) -> Cursor:
    """The cursor a page sent back (Last-Event-ID or ?cursor=), or now's if it does not
    parse or is too old to trust its window."""
    cursor = Cursor.parse(text)
    if cursor is None or time.time() - cursor.read_at > MAX_CURSOR_AGE.total_seconds():
        return dashboard_cursor(creator)
    return cursor


@dataclass
class DashboardRead:
    cursor: Cursor
    # One per tip whose row changed, oldest move first: public id, creation time, row.
    tips: list[dict[str, Any]] = field(default_factory=list)
    totals: str = ""


def dashboard_read(creator: Creator, cursor: Cursor, *, totals: bool) -> DashboardRead:
    """What a page at `cursor` has not shown: the rows of the creator's tips that moved
    since, and (`totals`) the overview's totals, if any tip moved."""
    table = TipEvent._meta.db_table
    since = datetime.fromtimestamp(cursor.read_at, UTC) - LATE_WINDOW
    # Newer events (any age, the oldest TIPS_PER_READ), then the late ones: at or before
    # the cursor's id, made in the window, that the cursor's snapshot did not see.
    newer = (
        owned_by(creator, TipEvent)
        .filter(pk__gt=cursor.after)
        .order_by("pk")
        .values_list("pk", "tip_id")[:TIPS_PER_READ]
    )
    late = (
        owned_by(creator, TipEvent)
        .filter(pk__lte=cursor.after, created_at__gte=since)
        .extra(select={"xid": f'"{table}".xmin::text::bigint'})  # noqa: S610 - no user input
        .order_by()
        .values_list("pk", "tip_id", "xid")
    )
    sql_new, params_new = newer.query.sql_with_params()
    sql_late, params_late = late.query.sql_with_params()
    snapshot, rows = _with_snapshot(
        # The ORM's own SQL and parameters, composed: no text from the request.
        f"SELECT n.*, NULL::bigint AS xid FROM ({sql_new}) AS n UNION ALL {sql_late}",  # noqa: S608
        (*params_new, *params_late),
    )
    fresh = sorted(
        (pk, tip_id) for pk, tip_id, xid in rows if xid is None or not cursor.snapshot.saw(int(xid))
    )
    # Every event this snapshot saw up to the new last id is in `fresh` (the newer ones
    # are taken in id order), so the new snapshot may stand for them all: a later read
    # sends the ones it did not see and the newer ones a full read left.
    new_ids = [pk for pk, _tip in fresh if pk > cursor.after]
    read = DashboardRead(Cursor(max([cursor.after, *new_ids]), time.time(), snapshot))
    if not fresh:
        return read
    tip_ids = list(dict.fromkeys(tip_id for _pk, tip_id in fresh))
    tips = {tip.pk: tip for tip in reports.tips_of(creator=creator).filter(pk__in=tip_ids)}
    rows_by_tip = {row.tip.pk: row for row in tip_rows(list(tips.values()))}
    read.tips = [tip_entry(rows_by_tip[pk]) for pk in tip_ids if pk in rows_by_tip]
    if totals:
        read.totals = render_to_string(
            "dashboard/_totals.html", {"overview": reports.tips_overview(creator=creator)}
        )
    return read


def tip_entry(row: TipRow) -> dict[str, Any]:
    """A tip's row as the table shows it (the same template, escaped by Django)."""
    return {
        "id": row.tip.public_id,
        "created": int(row.tip.created_at.timestamp()),
        "row": render_to_string("dashboard/_tip_row.html", {"row": row}),
    }
