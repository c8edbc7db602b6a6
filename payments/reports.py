"""Reads for the creator's dashboard and API: their tips, filtered, counted and summed.

Every query starts from `owned_by(creator, Tip)`: a creator only ever sees their own tips.
Totals and charts count confirmed tips, by the day the viewer made them (UTC).
"""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.db.models import Count, Prefetch, Q, QuerySet, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone

from creators.models import Creator
from creators.scoping import owned_by
from payments.models import (
    LIVE_PAYMENT_STATES,
    Payment,
    Tip,
    TipDayTotal,
    TipSourceTotal,
    TipStatus,
)
from payments.selectors import tip_confirmations

CHART_PERIODS = (30, 90, 365)
_PAYMENTS = Prefetch("payments", Payment.objects.order_by("first_seen_at", "pk"))


@dataclass(frozen=True)
class TipFilters:
    status: str = ""
    widget: str = ""  # a widget's public id
    since: date | None = None
    until: date | None = None  # inclusive
    search: str = ""


def _start_of(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min), timezone.get_current_timezone())


def tips_of(*, creator: Creator, filters: TipFilters | None = None) -> QuerySet[Tip]:
    """The creator's tips, newest first, with what a list shows (widget, address, payments)."""
    filters = filters or TipFilters()
    tips = owned_by(creator, Tip).select_related("widget", "address", "lightning_invoice")
    if filters.status:
        tips = tips.filter(status=filters.status)
    if filters.widget:
        tips = tips.filter(widget__public_id=filters.widget)
    if filters.since:
        tips = tips.filter(created_at__gte=_start_of(filters.since))
    if filters.until:
        tips = tips.filter(created_at__lt=_start_of(filters.until + timedelta(days=1)))
    if filters.search:
        tips = tips.filter(Q(name__icontains=filters.search) | Q(message__icontains=filters.search))
    return tips.order_by("-created_at", "-pk").prefetch_related(_PAYMENTS)


TIPS_PER_PAGE = 50


@dataclass(frozen=True)
class TipPage:
    """One page of a tip list, newest first, and the cursors to the pages around it
    (None where there is nothing more that way)."""

    tips: list[Tip]
    older: str | None
    newer: str | None


def tip_cursor(tip: Tip) -> str:
    """An opaque bookmark of a tip's place in a newest-first list."""
    raw = f"{tip.created_at.isoformat()}|{tip.pk}".encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _cursor_place(cursor: str) -> tuple[datetime, int] | None:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        moment, pk = raw.split("|")
        created_at = datetime.fromisoformat(moment)
        return (created_at, int(pk)) if created_at.tzinfo is not None else None
    except (binascii.Error, UnicodeDecodeError, ValueError):
        return None


def tips_page(
    tips: QuerySet[Tip], *, older_than: str = "", newer_than: str = "", size: int = TIPS_PER_PAGE
) -> TipPage:
    """A page of `tips` (tips_of), by keyset: the tips just older than the cursor
    `older_than`, or just newer than `newer_than`, else the newest ones.

    The page starts from the cursor's place on the (creator, created_at, id) index, so
    the thousandth page costs what the first does; a cursor that does not parse reads as
    the first page. There is no page count: counting a big creator's tips costs their
    whole history.
    """
    newer_place = _cursor_place(newer_than) if newer_than else None
    if newer_place is not None:
        moment, pk = newer_place
        # `created_at >= moment` bounds the index scan; the Q settles ties by id.
        later = tips.filter(created_at__gte=moment).filter(Q(created_at__gt=moment) | Q(pk__gt=pk))
        rows = list(later.order_by("created_at", "pk")[: size + 1])
        more_newer = len(rows) > size
        rows = rows[:size][::-1]
        return TipPage(
            tips=rows,
            older=tip_cursor(rows[-1]) if rows else None,
            newer=tip_cursor(rows[0]) if rows and more_newer else None,
        )
    older_place = _cursor_place(older_than) if older_than else None
    if older_place is not None:
        moment, pk = older_place
        tips = tips.filter(created_at__lte=moment).filter(Q(created_at__lt=moment) | Q(pk__lt=pk))
    rows = list(tips.order_by("-created_at", "-pk")[: size + 1])
    more_older = len(rows) > size
    rows = rows[:size]
    return TipPage(
        tips=rows,
        older=tip_cursor(rows[-1]) if rows and more_older else None,
        newer=tip_cursor(rows[0]) if rows and older_place is not None else None,
    )


def tip_of(*, creator: Creator, public_id: str) -> Tip | None:
    """One of the creator's tips, with all its payments (replaced and reorged ones too)."""
    return (
        owned_by(creator, Tip)
        .select_related("widget", "address", "address__wallet_key", "lightning_invoice")
        .prefetch_related(_PAYMENTS)
        .filter(public_id=public_id)
        .first()
    )


def tip_txids(tip: Tip) -> list[str]:
    """Transactions paying the tip now (replaced or reorganised ones left out), in order."""
    live = (p.txid for p in tip.payments.all() if p.state in LIVE_PAYMENT_STATES)
    return list(dict.fromkeys(live))


def confirmations(tip: Tip, scanned_height: int | None) -> int:
    """tip_confirmations for a list of tips, the scan height read once by the caller
    (None: no block scanned yet, so nothing is confirmed)."""
    return 0 if scanned_height is None else tip_confirmations(tip, scanned_height)


@dataclass(frozen=True)
class Totals:
    count: int
    sats: int


def _totals(tips: QuerySet[Tip], field: str = "confirmed_sats") -> Totals:
    result = tips.aggregate(count=Count("pk"), sats=Coalesce(Sum(field), 0))
    return Totals(count=result["count"], sats=result["sats"])


def _rolled_up(rows: QuerySet[TipDayTotal]) -> Totals:
    result = rows.aggregate(count=Coalesce(Sum("count"), 0), sats=Coalesce(Sum("sats"), 0))
    return Totals(count=result["count"], sats=result["sats"])


@dataclass(frozen=True)
class Overview:
    confirmed: Totals
    today: Totals
    this_month: Totals
    # Seen on the chain, waiting for their confirmations.
    confirming: Totals


def tips_overview(*, creator: Creator, today: date | None = None) -> Overview:
    """Confirmed totals from the rollups (payments.rollups: a row per day, whatever the
    history); tips still confirming are few, and counted from the tips."""
    today = today or timezone.localdate()
    days = owned_by(creator, TipDayTotal)
    confirming = owned_by(creator, Tip).filter(status=TipStatus.IN_MEMPOOL)
    return Overview(
        confirmed=_rolled_up(days),
        today=_rolled_up(days.filter(day=today)),
        this_month=_rolled_up(days.filter(day__gte=today.replace(day=1))),
        confirming=_totals(confirming, "received_sats"),
    )


@dataclass(frozen=True)
class DayTotal:
    day: date
    count: int
    sats: int


def tips_per_day(*, creator: Creator, days: int, today: date | None = None) -> list[DayTotal]:
    """The creator's confirmed tips and sats of each of the last `days` days (today
    included), oldest first: the dashboard's chart, read from the day rollup."""
    today = today or timezone.localdate()
    first = today - timedelta(days=days - 1)
    rows = owned_by(creator, TipDayTotal).filter(day__gte=first, day__lte=today)
    by_day = {row.day: row for row in rows}
    series = []
    for offset in range(days):
        day = first + timedelta(days=offset)
        row = by_day.get(day)
        series.append(DayTotal(day=day, count=row.count if row else 0, sats=row.sats if row else 0))
    return series


@dataclass(frozen=True)
class Breakdown:
    key: str  # a widget's public id or a video id; "" for the tip page / no video
    label: str
    count: int
    sats: int


def _breakdown(rows: QuerySet[TipSourceTotal], key: str, label: str) -> list[Breakdown]:
    """The rollup's rows summed by `key` (and its `label`), biggest first.

    Summed here rather than in SQL: a deleted widget's rows read as the tip page's (its
    tips now are), so two database groups can make one line. Lines at zero (every tip
    of them taken back) are left out, as a recount would have no such line.
    """
    totals: dict[tuple[str, str], list[int]] = {}
    for row in rows.values(key, label).annotate(count=Sum("count"), sats=Sum("sats")).order_by():
        line = totals.setdefault((row[key] or "", row[label] or ""), [0, 0])
        line[0] += row["count"]
        line[1] += row["sats"]
    lines = [
        Breakdown(key=line_key, label=line_label, count=count, sats=sats)
        for (line_key, line_label), (count, sats) in totals.items()
        if count
    ]
    return sorted(lines, key=lambda line: (-line.sats, line.key))


def tips_per_widget(*, creator: Creator) -> list[Breakdown]:
    """Confirmed tips by widget; the row with an empty key is the hosted tip page."""
    return _breakdown(owned_by(creator, TipSourceTotal), "widget__public_id", "widget__label")


def tips_per_video(*, creator: Creator) -> list[Breakdown]:
    """Confirmed tips by video id (set by the widget or the embed); none for tips without one."""
    return _breakdown(
        owned_by(creator, TipSourceTotal).exclude(video_id=""), "video_id", "video_id"
    )
