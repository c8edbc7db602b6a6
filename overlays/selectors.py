"""Reads of the overlays app: the token's creator, the goal, the supporters, the events."""

from __future__ import annotations

import hmac
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.db.models import Sum
from django.utils import timezone

from overlays.models import OverlayEvent, OverlayPeriod, OverlaySettings, SupportersMode
from overlays.services import ANONYMOUS, token_hash
from payments.models import Tip, TipStatus
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


def goal_state(overlay: OverlaySettings, *, now: datetime) -> dict[str, Any]:
    """The goal bar: confirmed sats of the period's tips against the target."""
    raised = (
        _paid_tips(overlay, overlay.goal_period, now=now)
        .filter(status=TipStatus.CONFIRMED)
        .aggregate(total=Sum("confirmed_sats"))["total"]
        or 0
    )
    target = overlay.goal_target_sats
    return {
        "title": overlay.goal_title,
        "raised_sats": raised,
        "target_sats": target,
        "percent": min(100, raised * 100 // target) if target else 100,
    }


def supporters_state(overlay: OverlaySettings, *, now: datetime) -> dict[str, Any]:
    """Latest or top supporters: a name only where the viewer let it appear publicly."""
    tips = _paid_tips(overlay, overlay.supporters_period, now=now).filter(
        status=TipStatus.CONFIRMED
    )
    count = overlay.supporters_count
    rows: list[dict[str, Any]]
    if overlay.supporters_mode == SupportersMode.TOP:
        named = (
            tips.filter(name_public=True)
            .exclude(name="")
            .values("name")
            .annotate(total=Sum("confirmed_sats"))
            .order_by("-total", "name")[:count]
        )
        rows = [{"name": row["name"], "amount_sats": row["total"]} for row in named]
    else:
        latest = tips.order_by("-created_at", "-pk").values("name", "name_public", "confirmed_sats")
        rows = [
            {
                "name": row["name"] if row["name_public"] else ANONYMOUS,
                "amount_sats": row["confirmed_sats"],
            }
            for row in latest[:count]
        ]
    return {"mode": overlay.supporters_mode, "rows": rows}


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
