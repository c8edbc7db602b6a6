"""Writes of the overlays app: settings and tokens, and the creator's alert stream."""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta
from decimal import Decimal
from functools import partial
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from creators.models import Creator
from live.fanout import stream_publish
from live.goals import public_goal_changed
from overlays.models import (
    AlertSound,
    AlertStyle,
    OverlayEvent,
    OverlayEventKind,
    OverlaySettings,
)
from overlays.streamlabs import streamlabs_post_queue
from payments.models import Tip, TipEvent, TipStatus
from payments.pricing import creator_pricing, fiat_then
from payments.selectors import tip_public_message
from web.sealing import seal

TOKEN_BYTES = 24
# An event older than this alerts no more (a backlog after an outage, or the outbox's
# history when this consumer first runs): on stream, a tip from long ago is noise.
ALERT_MAX_AGE = timedelta(hours=1)
MAX_TIERS = 3
# What the overlay shows in place of a name the viewer did not let appear publicly.
ANONYMOUS = ""


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def overlay_channel(creator_id: int) -> str:
    """The live Hub key (and Redis channel suffix) of a creator's overlay connections."""
    return f"overlay:{creator_id}"


def _new_token() -> tuple[str, str, str]:
    token = secrets.token_urlsafe(TOKEN_BYTES)
    return token, token_hash(token), seal(token)


def overlay_settings_ensure(*, creator: Creator) -> OverlaySettings:
    """The creator's overlay settings, made (with a fresh token) on first use."""
    found = OverlaySettings.objects.filter(creator=creator).first()
    if found is not None:
        return found
    _token, hashed, sealed = _new_token()
    try:
        with transaction.atomic():
            return OverlaySettings.objects.create(
                creator=creator, token_hash=hashed, token_sealed=sealed
            )
    except IntegrityError:  # made meanwhile by another request
        return OverlaySettings.objects.get(creator=creator)


def overlay_token_regenerate(*, overlay: OverlaySettings) -> OverlaySettings:
    """A new secret URL; the old one is refused from this commit on (its next request, and
    its open streams at their next read)."""
    _token, overlay.token_hash, overlay.token_sealed = _new_token()
    overlay.save(update_fields=["token_hash", "token_sealed", "updated_at"])
    # Wake open streams so they notice their token is gone now, not at their next poll.
    transaction.on_commit(partial(stream_publish, overlay_channel(overlay.creator_id)), robust=True)
    return overlay


def alert_tiers_clean(tiers: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """At most MAX_TIERS tiers with known styles and sounds, sorted by their minimum."""
    styles, sounds = set(AlertStyle.values), set(AlertSound.values)
    cleaned = [
        {
            "min_sats": max(0, int(tier["min_sats"])),
            "style": tier["style"] if tier.get("style") in styles else AlertStyle.PLAIN.value,
            "sound": tier["sound"] if tier.get("sound") in sounds else AlertSound.NONE.value,
            "seconds": min(60, max(2, int(tier.get("seconds") or 6))),
        }
        for tier in tiers[:MAX_TIERS]
    ]
    return sorted(cleaned, key=lambda tier: tier["min_sats"])


def overlay_settings_update(*, overlay: OverlaySettings, **fields: Any) -> OverlaySettings:
    if "alert_tiers" in fields:
        fields["alert_tiers"] = alert_tiers_clean(fields["alert_tiers"])
    for name, value in fields.items():
        setattr(overlay, name, value)
    overlay.save()
    goal_changed(overlay.creator_id)
    if any(name.startswith("goal_") for name in fields):
        # Stored tip pages and widgets show the goal (or not): they are rendered afresh.
        send = partial(public_goal_changed.send, OverlaySettings, creator_id=overlay.creator_id)
        transaction.on_commit(send, robust=True)
    return overlay


def goal_changed(creator_id: int) -> None:
    """After commit, wake whatever shows the creator's goal (overlays, tip page, widgets)."""
    transaction.on_commit(partial(stream_publish, overlay_channel(creator_id)), robust=True)


def goal_target_fields(*, creator: Creator, target_fiat: Decimal | None) -> dict[str, Any]:
    """A fiat target is in the creator's display currency of the moment, kept with it;
    none: a sats target."""
    return {
        "goal_target_fiat": target_fiat,
        "goal_currency": creator.display_currency if target_fiat is not None else "",
    }


def overlay_goal_reset(*, overlay: OverlaySettings, now: datetime | None = None) -> None:
    """A new stream session: the goal (and session supporters) count from now."""
    overlay.goal_reset_at = now or timezone.now()
    overlay.save(update_fields=["goal_reset_at", "updated_at"])
    goal_changed(overlay.creator_id)


def _append(
    *, creator_id: int, kind: str, data: dict[str, Any], tip: Tip | None, now: datetime
) -> OverlayEvent:
    event = OverlayEvent.objects.create(
        creator_id=creator_id, tip=tip, kind=kind, data=data, created_at=now
    )
    transaction.on_commit(partial(stream_publish, overlay_channel(creator_id)), robust=True)
    return event


def alert_public_data(tip: Tip, *, amount_sats: int, unconfirmed: bool) -> dict[str, Any]:
    """What an alert shows on stream: nothing the viewer or moderation keeps private. The
    fiat value is at the tip's own rate snapshot (null for a tip made without a rate)."""
    fiat = fiat_then(amount_sats, tip.rate_snapshot)
    return {
        "name": tip.name if tip.name_public else ANONYMOUS,
        "amount_sats": amount_sats,
        "fiat": fiat.as_dict() if fiat is not None else None,
        "message": tip_public_message(tip) or "",
        "unconfirmed": unconfirmed,
        "test": False,
    }


def overlay_tip_event(event: TipEvent) -> None:
    """What a tip's move does to the overlays: its alert, if first known; a wake-up of the
    goal's pages when confirmed sats may have changed (a confirmation, or one taken back)."""
    overlay_alert_from_tip_event(event)
    if TipStatus.CONFIRMED in (event.to_status, event.from_status):
        tips = Tip.objects.filter(pk=event.tip_id)
        goal_changed(tips.values_list("creator_id", flat=True).get())


def overlay_alert_from_tip_event(
    event: TipEvent, *, now: datetime | None = None
) -> OverlayEvent | None:
    """The alert of `event`'s tip, if this move is the first where its payment is known:
    seen in the mempool (on-chain, unconfirmed) or confirmed without having been seen
    (Lightning, or a payment first seen in a block). Once per tip, whatever follows (a
    reorg and a re-confirmation do not alert twice); below the creator's minimum, none."""
    if event.to_status not in (TipStatus.IN_MEMPOOL, TipStatus.CONFIRMED):
        return None
    if event.created_at < (now or timezone.now()) - ALERT_MAX_AGE:
        return None
    tip = Tip.objects.select_related("creator").get(pk=event.tip_id)
    if OverlayEvent.objects.filter(tip=tip, kind=OverlayEventKind.ALERT).exists():
        return None
    snapshot = event.tip_data or {}
    amount = int(snapshot.get("received_sats") or tip.received_sats or tip.amount_sats)
    overlay = OverlaySettings.objects.filter(creator_id=tip.creator_id).first()
    if overlay is not None and amount < overlay.alert_min_sats:
        return None
    data = alert_public_data(
        tip, amount_sats=amount, unconfirmed=event.to_status == TipStatus.IN_MEMPOOL
    )
    alert = _append(
        creator_id=tip.creator_id,
        kind=OverlayEventKind.ALERT,
        data=data,
        tip=tip,
        now=event.created_at,
    )
    if overlay is not None:
        streamlabs_post_queue(overlay=overlay, tip=tip, alert=data, now=now or timezone.now())
    return alert


def overlay_alert_retract(*, tip: Tip, now: datetime | None = None) -> OverlayEvent | None:
    """The tip's message was hidden: blank it in its stored alert (so no replay shows it)
    and tell open overlays to take it off their queue or screen."""
    alert = (
        OverlayEvent.objects.select_for_update()
        .filter(tip=tip, kind=OverlayEventKind.ALERT)
        .first()
    )
    if alert is None:
        return None
    if alert.data.get("message"):
        alert.data = {**alert.data, "message": ""}
        alert.save(update_fields=["data"])
    return _append(
        creator_id=alert.creator_id,
        kind=OverlayEventKind.RETRACT,
        data={"alert": alert.pk},
        tip=tip,
        now=now or timezone.now(),
    )


def overlay_test_alert(
    *, creator: Creator, amount_sats: int, message: str, name: str, now: datetime | None = None
) -> OverlayEvent:
    """The dashboard's "Send test alert": an event on the stream, never a tip (its fiat
    value at the current rate, as a tip made now would show)."""
    fiat = creator_pricing(creator, now=now).fiat(amount_sats)
    data = {
        "name": name,
        "amount_sats": amount_sats,
        "fiat": fiat.as_dict() if fiat is not None else None,
        "message": message,
        "unconfirmed": False,
        "test": True,
    }
    return _append(
        creator_id=creator.pk,
        kind=OverlayEventKind.TEST,
        data=data,
        tip=None,
        now=now or timezone.now(),
    )
