"""Reads of the overlays app: the token's creator, the goal, the supporters, the events."""

from __future__ import annotations

import functools
import hmac
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db.models import F, Func, Max, Q, Sum, Value
from django.db.models.functions import Lower, Trim
from django.utils import timezone

from overlays.models import OverlayEvent, OverlayPeriod, OverlaySettings, SupportersMode
from overlays.services import ANONYMOUS, token_hash
from payments.models import Tip, TipStatus
from payments.pricing import pricing_now
from rates.money import SATS_PER_BTC, minor_unit
from rates.snapshot import RateSnapshot
from web.sealing import unseal

EVENTS_PER_READ = 100


def overlay_by_token(token: str) -> OverlaySettings | None:
    """The settings whose secret token is `token`; None for an unknown (or old) token.

    Looked up by the token's SHA-256 (see OverlaySettings), then compared in constant
    time all the same."""
    if not token or len(token) > 100:
        return None
    hashed = token_hash(token)
    overlay = OverlaySettings.objects.select_related("creator").filter(token_hash=hashed).first()
    if overlay is None or not hmac.compare_digest(overlay.token_hash, hashed):
        return None
    return overlay


def overlay_token(overlay: OverlaySettings) -> str:
    """The token in clear, for the creator's own dashboard only."""
    return unseal(overlay.token_sealed)


def period_bounds(
    overlay: OverlaySettings, period: str, *, now: datetime
) -> tuple[datetime | None, datetime | None]:
    """[start, end) of `period` at `now`; a reset moves the start forward, whatever the period."""
    local = timezone.localtime(now)
    start: datetime | None
    end: datetime | None = None
    if period == OverlayPeriod.WEEK:
        midnight = local.replace(hour=0, minute=0, second=0, microsecond=0)
        start = midnight - timedelta(days=local.weekday())
    elif period == OverlayPeriod.MONTH:
        start = local.replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    elif period == OverlayPeriod.CUSTOM:
        start, end = overlay.goal_starts_at, overlay.goal_ends_at
    else:  # a stream session: since the last reset
        start = None
    if overlay.goal_reset_at is not None and (start is None or overlay.goal_reset_at > start):
        start = overlay.goal_reset_at
    return start, end


def _paid_tips(overlay: OverlaySettings, period: str, *, now: datetime) -> Any:
    start, end = period_bounds(overlay, period, now=now)
    tips = Tip.objects.filter(creator_id=overlay.creator_id, confirmed_sats__gt=0)
    if start is not None:
        tips = tips.filter(created_at__gte=start)
    if end is not None:
        tips = tips.filter(created_at__lt=end)
    return tips


def goal_currency(overlay: OverlaySettings) -> str:
    """The currency the goal's figures are given in: its own for a fiat target, else the
    creator's display currency."""
    return overlay.goal_currency or overlay.creator.display_currency


def goal_totals(tips: Any, currency: str, *, now: datetime) -> tuple[int, Decimal | None]:
    """What `tips` raised: sats, and the value in `currency` with each tip at its own rate
    snapshot when it was made in that currency, the others at the current rate (None when
    some need a rate and there is no fresh one). Exact products summed, rounded once to
    the currency's minor unit."""
    totals = tips.aggregate(sats=Sum("confirmed_sats"), **fiat_parts(currency))
    fiat = fiat_value(totals, currency, lambda: pricing_now(currency, now=now).rate)
    return totals["sats"] or 0, fiat


def fiat_parts(currency: str) -> dict[str, Any]:
    """Aggregates of confirmed sats for fiat_value: sats x rate of the tips priced in
    `currency` when they were made, and the sats of the others."""
    snapshot = Q(rate_currency=currency, rate__isnull=False)
    return {
        "at_snapshot": Sum(F("confirmed_sats") * F("rate"), filter=snapshot),
        "others": Sum("confirmed_sats", filter=~snapshot),
    }


def fiat_value(
    parts: dict[str, Any], currency: str, rate_now: Callable[[], RateSnapshot | None]
) -> Decimal | None:
    """The value of fiat_parts' sums in `currency`: each tip at its own rate, the others at
    the current one (asked only if needed; None without a fresh one), rounded once."""
    exact = Decimal(parts["at_snapshot"] or 0) / SATS_PER_BTC
    if parts["others"]:
        rate = rate_now()
        if rate is None:
            return None
        exact += Decimal(parts["others"]) * rate.rate / SATS_PER_BTC
    return exact.quantize(minor_unit(currency), rounding=ROUND_HALF_UP)


def _percent(raised: Decimal | int, target: Decimal | int) -> int:
    return min(100, int(raised * 100 // target)) if target else 100


def goal_state(overlay: OverlaySettings, *, now: datetime) -> dict[str, Any]:
    """The goal bar: what the period's confirmed tips raised against the target, in sats
    and in fiat (`raised_fiat` null when no fresh rate allows an honest figure).

    A sats target counts sats; a fiat target counts fiat (see goal_totals), and without a
    figure its `percent` is null: the page shows the sats and says the fiat is unavailable."""
    tips = _paid_tips(overlay, overlay.goal_period, now=now).filter(status=TipStatus.CONFIRMED)
    currency = goal_currency(overlay)
    raised, fiat = goal_totals(tips, currency, now=now)
    state: dict[str, Any] = {
        "title": overlay.goal_title,
        "raised_sats": raised,
        "currency": currency,
        "raised_fiat": None if fiat is None else str(fiat),
    }
    if overlay.goal_currency and overlay.goal_target_fiat is not None:
        target = overlay.goal_target_fiat.quantize(minor_unit(currency))
        percent = None if fiat is None else _percent(fiat, target)
        return {**state, "unit": "fiat", "target_fiat": str(target), "percent": percent}
    if fiat is not None and not pricing_now(currency, now=now).available:
        # Beside a sats target the fiat figure is a courtesy: shown with a fresh rate only,
        # like every fiat amount of the viewer pages.
        state["raised_fiat"] = None
    target_sats = overlay.goal_target_sats
    percent = _percent(raised, target_sats)
    return {**state, "unit": "sats", "target_sats": target_sats, "percent": percent}


def public_goal_state(creator_id: int, *, now: datetime) -> dict[str, Any] | None:
    """The goal as the creator's tip page and widgets show it, if the creator chose to."""
    overlay = (
        OverlaySettings.objects.select_related("creator")
        .filter(creator_id=creator_id, goal_public=True)
        .first()
    )
    return goal_state(overlay, now=now) if overlay is not None else None


def supporter_key(field: str) -> Func:
    """A name as top supporters group it: case and runs of spaces aside ("Bob  Smith" and
    "bob smith" are one supporter)."""
    spaces = Func(Trim(field), Value(r"\s+"), Value(" "), Value("g"), function="regexp_replace")
    return Lower(spaces)


def supporters_state(overlay: OverlaySettings, *, now: datetime) -> dict[str, Any]:
    """Latest or top supporters: a name only where the viewer let it appear publicly."""
    tips = _paid_tips(overlay, overlay.supporters_period, now=now).filter(
        status=TipStatus.CONFIRMED
    )
    count = overlay.supporters_count
    currency = overlay.creator.display_currency
    current = functools.cache(lambda: pricing_now(currency, now=now).rate)

    def fiat(parts: dict[str, Any]) -> str | None:
        value = fiat_value(parts, currency, current)
        return None if value is None else str(value)

    rows: list[dict[str, Any]]
    if overlay.supporters_mode == SupportersMode.TOP:
        named = (
            tips.filter(name_public=True)
            .exclude(name="")
            .annotate(key=supporter_key("name"))
            .values("key")
            .annotate(total=Sum("confirmed_sats"), shown=Max("name"), **fiat_parts(currency))
            .order_by("-total", "key")[:count]
        )
        rows = [
            {"name": row["shown"], "amount_sats": row["total"], "amount_fiat": fiat(row)}
            for row in named
        ]
    else:
        latest = tips.order_by("-created_at", "-pk").values(
            "name", "name_public", "confirmed_sats", "rate", "rate_currency"
        )
        rows = [
            {
                "name": row["name"] if row["name_public"] else ANONYMOUS,
                "amount_sats": row["confirmed_sats"],
                "amount_fiat": fiat(tip_fiat_parts(row, currency)),
            }
            for row in latest[:count]
        ]
    return {"mode": overlay.supporters_mode, "currency": currency, "rows": rows}


def tip_fiat_parts(row: dict[str, Any], currency: str) -> dict[str, Any]:
    """fiat_parts of one tip's values (confirmed_sats, rate, rate_currency)."""
    if row["rate_currency"] == currency and row["rate"] is not None:
        return {"at_snapshot": row["confirmed_sats"] * row["rate"], "others": 0}
    return {"at_snapshot": 0, "others": row["confirmed_sats"]}


def overlay_last_event_id(overlay: OverlaySettings) -> int:
    """Where a freshly opened overlay starts: after the creator's latest event."""
    last = OverlayEvent.objects.filter(creator_id=overlay.creator_id).order_by("-id")
    return last.values_list("id", flat=True).first() or 0


@dataclass
class OverlayRead:
    events: list[OverlayEvent] = field(default_factory=list)
    state: dict[str, Any] = field(default_factory=dict)


WANTS = ("alerts", "goal", "supporters")


def overlay_read(token: str, *, after: int, want: str, now: datetime) -> OverlayRead | None:
    """What an overlay connection has not sent yet: the events after `after` (alerts
    only) and the state it shows now (goal, supporters). None once the token is gone."""
    overlay = overlay_by_token(token)
    if overlay is None:
        return None
    read = OverlayRead()
    if want == "alerts":
        read.events = list(
            OverlayEvent.objects.filter(creator_id=overlay.creator_id, id__gt=after).order_by("id")[
                :EVENTS_PER_READ
            ]
        )
        read.state = overlay_public_alerts(overlay)
    elif want == "goal":
        read.state = goal_state(overlay, now=now)
    elif want == "supporters":
        read.state = supporters_state(overlay, now=now)
    return read


def overlay_public_alerts(overlay: OverlaySettings) -> dict[str, Any]:
    """The alert settings the overlay page runs with (no private data)."""
    return {
        "min_sats": overlay.alert_min_sats,
        "tiers": overlay.alert_tiers,
        "speech": overlay.alert_speech,
    }
