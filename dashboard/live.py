"""The creator's dashboard on the push channel: what a dashboard has not shown yet.

A dashboard page follows its creator's TipEvent rows (the payments outbox: one per
status move, written in the move's transaction). Each read returns the tips whose
rows changed, rendered with the table's own row template, and the overview totals.

The cursor: TipEvent ids come from a sequence at INSERT, but transactions commit in
any order: event 11 can be visible while event 10's transaction has not committed
yet, and "id > last id sent" alone would skip event 10 for good. Each read therefore
runs as one statement that also returns its snapshot's `xmin` (the oldest transaction
still running): a row written by a transaction older than that (its `xmin` column, a
subtransaction's id included, since a subtransaction's id is above its parent's) was
committed before the read, so the read saw it. Only rows of `xmin` at or above it can
have been hidden. The cursor a page holds, `<last id>:<read time>:<xmin>:<seen ids>`,
lists the ids of such rows the read did see; the next read sends the events after the
last id, and those at or before it (made from LATE_WINDOW before the previous read)
written at or above that `xmin` and not listed: exactly the ones not sent yet, each
once, whenever its transaction commits, even across a reconnection (the cursor is the
SSE id: the browser sends it back as Last-Event-ID). A transaction open for longer than
LATE_WINDOW before that read is the one case left to the next page load.
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

# At most this many seen ids in a cursor (the newest): one left out is sent twice, never lost.
MAX_SEEN = 1000

_CURSOR = re.compile(r"^(\d+):(\d+):(\d+):((?:\d+(?:,\d+)*)?)$")
_XID_WRAP = 1 << 32


def _written_since(xid32: int, xmin: int) -> bool:
    """Whether the row written by transaction `xid32` (the 32-bit `xmin` column) may have
    been running at a snapshot of `xmin` (64-bit): at or above it, modulo wraparound
    (rows in the window are minutes old, never 2**31 transactions away)."""
    return (xid32 - xmin) % _XID_WRAP < _XID_WRAP // 2


@dataclass(frozen=True)
class Cursor:
    after: int
    read_at: float  # epoch seconds
    xmin: int  # the read's snapshot's oldest running transaction
    seen: frozenset[int]  # ids at or before `after` written at or above `xmin`, read

    @classmethod
    def parse(cls, text: str) -> Cursor | None:
        match = _CURSOR.match(text)
        if match is None:
            return None
        after, read_at, xmin, seen = match.groups()
        ids = frozenset(int(pk) for pk in seen.split(",") if pk)
        return cls(int(after), float(read_at), int(xmin), ids)

    def __str__(self) -> str:
        seen = ",".join(str(pk) for pk in sorted(self.seen))
        return f"{self.after}:{int(self.read_at)}:{self.xmin}:{seen}"


def _events(
    creator: Creator, *, after: int | None, since: datetime
) -> tuple[int, list[tuple[int, int, int]]]:
    """In one statement: its snapshot's xmin, and the creator's events (id, tip id, xmin)
    after `after` (the oldest TIPS_PER_READ; with `after` None, the latest one) and those
    at or before it made since `since`."""
    table = TipEvent._meta.db_table
    events = owned_by(creator, TipEvent).extra(  # noqa: S610 - no user input
        select={"xid": f'"{table}".xmin::text::bigint'}
    )
    if after is None:
        first = events.order_by("-pk")[:1]
        window = events.filter(created_at__gte=since)
    else:
        first = events.filter(pk__gt=after).order_by("pk")[:TIPS_PER_READ]
        window = events.filter(pk__lte=after, created_at__gte=since)
    sql_first, params_first = first.values_list("pk", "tip_id", "xid").query.sql_with_params()
    sql_window, params_window = (
        window.order_by().values_list("pk", "tip_id", "xid").query.sql_with_params()
    )
    with connection.cursor() as db:
        db.execute(
            # The ORM's own SQL and parameters, composed: no text from the request.
            "SELECT pg_snapshot_xmin(pg_current_snapshot())::text::bigint, q.* "  # noqa: S608
            f"FROM (SELECT 1) AS one LEFT JOIN ((SELECT * FROM ({sql_first}) AS f) "
            f"UNION ALL ({sql_window})) AS q ON TRUE",
            (*params_first, *params_window),
        )
        rows = db.fetchall()
    return rows[0][0], [(pk, tip_id, xid) for _x, pk, tip_id, xid in rows if pk is not None]


def _cursor(after: int, xmin: int, rows: list[tuple[int, int, int]]) -> Cursor:
    seen = sorted(pk for pk, _tip, xid in rows if pk <= after and _written_since(xid, xmin))
    return Cursor(after, time.time(), xmin, frozenset(seen[-MAX_SEEN:]))


def dashboard_cursor(creator: Creator) -> Cursor:
    """Where a page rendered now starts following: its creator's events so far.
    Taken before the page reads its tips, so nothing falls between the two."""
    now = datetime.fromtimestamp(time.time(), UTC)
    xmin, rows = _events(creator, after=None, since=now - LATE_WINDOW)
    return _cursor(max((pk for pk, _tip, _xid in rows), default=0), xmin, rows)


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
    since = datetime.fromtimestamp(cursor.read_at, UTC) - LATE_WINDOW
    xmin, rows = _events(creator, after=cursor.after, since=since)
    fresh = sorted(
        (pk, tip_id)
        for pk, tip_id, xid in rows
        if pk > cursor.after
        or (pk not in cursor.seen and _written_since(xid, cursor.xmin))  # committed late
    )
    # Newer events come in id order: every one this read saw up to the new last id is in
    # `rows`, so the new cursor's seen ids are complete.
    after = max([cursor.after, *(pk for pk, _tip in fresh)])
    read = DashboardRead(_cursor(after, xmin, rows))
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


EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def microseconds(moment: datetime) -> int:
    """Microseconds since the epoch, exactly: where a row goes among rows made the same
    second (the table's order is newest first)."""
    return (moment - EPOCH) // timedelta(microseconds=1)


def tip_entry(row: TipRow) -> dict[str, Any]:
    """A tip's row as the table shows it (the same template, escaped by Django)."""
    return {
        "id": row.tip.public_id,
        "created": microseconds(row.tip.created_at),
        "row": render_to_string("dashboard/_tip_row.html", {"row": row}),
    }
