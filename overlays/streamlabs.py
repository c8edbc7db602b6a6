"""The Streamlabs bridge: each alerted tip, posted to the creator's Streamlabs account.

For creators who keep their Streamlabs alert box. The creator pastes their own Streamlabs
API access token (sealed at rest with web.sealing); a StreamlabsPost is written with the
tip's alert (the same transaction: the outbox), then sent after commit by a Celery task,
and retried with backoff by a beat sweep. The URL is the operator's setting
(BITCACHE_STREAMLABS_API_URL), never something a creator types, and tests point it at a
local double. What Streamlabs receives is what the alert shows: the name only with the
viewer's consent, the message as moderation shows it publicly.
"""

from __future__ import annotations

import hashlib
import json
import logging
import urllib.error
import urllib.request
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from overlays.models import OverlaySettings, StreamlabsPost, StreamlabsPostStatus
from payments.models import Tip
from rates.money import sats_to_fiat
from rates.selectors import rate_now
from web.sealing import SealBroken, seal, unseal

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 6
TIMEOUT_SECONDS = 10.0
# Streamlabs: a donor name of 2 to 25 characters, a message under 255.
NAME_LENGTH = (2, 25)
MESSAGE_MAX = 254
ANONYMOUS_NAME = "Anonymous"


def streamlabs_settings_update(
    *, overlay: OverlaySettings, enabled: bool, currency: str, token: str = ""
) -> OverlaySettings:
    """Switch the bridge on or off; a new token replaces the sealed one (blank keeps it)."""
    overlay.streamlabs_enabled = enabled
    overlay.streamlabs_currency = currency.upper()
    if token:
        overlay.streamlabs_token_sealed = seal(token)
    overlay.save(
        update_fields=[
            "streamlabs_enabled",
            "streamlabs_currency",
            "streamlabs_token_sealed",
            "updated_at",
        ]
    )
    return overlay


def donation_payload(tip: Tip, *, alert: dict[str, Any], currency: str, amount: Decimal) -> dict:
    name = alert["name"] if NAME_LENGTH[0] <= len(alert["name"]) <= NAME_LENGTH[1] else ""
    # Groups a donor's tips in Streamlabs without telling it the tip's id (a capability).
    identifier = hashlib.sha256(f"bitcache:{name or tip.public_id}".encode()).hexdigest()[:32]
    return {
        "name": name or ANONYMOUS_NAME,
        "message": alert["message"][:MESSAGE_MAX],
        "identifier": identifier,
        "amount": str(amount),
        "currency": currency,
        "createdAt": tip.created_at.isoformat(),
    }


def streamlabs_post_queue(
    *, overlay: OverlaySettings, tip: Tip, alert: dict[str, Any], now: datetime
) -> StreamlabsPost | None:
    """Called with the tip's alert, in its transaction: the post to send, if the bridge is on."""
    if not overlay.streamlabs_enabled or not overlay.streamlabs_token_sealed:
        return None
    snapshot = rate_now(overlay.streamlabs_currency, now=now)
    amount = sats_to_fiat(alert["amount_sats"], snapshot) if snapshot else Decimal(0)
    fiat = alert.get("fiat")
    if fiat and fiat["currency"] == overlay.streamlabs_currency:
        # The figure the alert shows (the tip's own rate): both boxes tell the same amount.
        snapshot, amount = snapshot or tip.rate_snapshot, Decimal(fiat["amount"])
    post = StreamlabsPost.objects.create(
        creator_id=overlay.creator_id,
        tip=tip,
        payload=donation_payload(
            tip, alert=alert, currency=overlay.streamlabs_currency, amount=amount
        ),
        # Streamlabs wants a fiat amount: without a fresh rate, say so instead of guessing.
        status=StreamlabsPostStatus.PENDING if snapshot else StreamlabsPostStatus.NO_RATE,
        next_attempt_at=now,
        created_at=now,
    )
    if snapshot:
        transaction.on_commit(lambda: _kick(post.pk), robust=True)
    return post


def _kick(post_id: int) -> None:
    from overlays.tasks import streamlabs_post_send  # tasks call this module, not the reverse

    try:
        streamlabs_post_send.delay(post_id)
    except Exception:
        log.warning("could not queue a Streamlabs post; the sweep will", exc_info=True)


class StreamlabsRefused(Exception):
    """Streamlabs answered with a client error: retrying will not help."""


def _send(payload: dict[str, Any], token: str) -> None:
    body = json.dumps(payload).encode()
    request = urllib.request.Request(  # noqa: S310 - the operator's https URL
        settings.BITCACHE_STREAMLABS_API_URL,
        data=body,
        method="POST",
        headers={
            "Content-Type": "application/json",
            "Accept": "application/json",
            "Authorization": f"Bearer {token}",
        },
    )
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS) as response:  # noqa: S310
            response.read(4096)
    except urllib.error.HTTPError as error:
        if 400 <= error.code < 500 and error.code not in (408, 429):
            raise StreamlabsRefused(
                f"Streamlabs refused the donation (HTTP {error.code})"
            ) from None
        raise


def streamlabs_post_send(*, post_id: int, now: datetime | None = None) -> StreamlabsPost | None:
    """Send one due post; on failure, schedule the next attempt (backoff) or give up."""
    now = now or timezone.now()
    with transaction.atomic():
        post = (
            StreamlabsPost.objects.select_for_update(skip_locked=True)
            .filter(pk=post_id, status=StreamlabsPostStatus.PENDING, next_attempt_at__lte=now)
            .first()
        )
        if post is None:
            return None  # sent, given up, not due, or another worker has it
        overlay = OverlaySettings.objects.get(creator_id=post.creator_id)
        post.attempts += 1
        try:
            _send(post.payload, unseal(overlay.streamlabs_token_sealed))
        except (StreamlabsRefused, SealBroken) as error:
            post.status, post.last_error = StreamlabsPostStatus.FAILED, str(error)[:200]
        except (OSError, urllib.error.URLError):
            post.last_error = "Streamlabs did not answer"
            if post.attempts >= MAX_ATTEMPTS:
                post.status = StreamlabsPostStatus.FAILED
            post.next_attempt_at = now + timedelta(minutes=2**post.attempts)
        else:
            post.status, post.sent_at, post.last_error = StreamlabsPostStatus.SENT, now, ""
        post.save()
    return post


def streamlabs_posts_due(*, now: datetime) -> list[int]:
    due = StreamlabsPost.objects.filter(
        status=StreamlabsPostStatus.PENDING, next_attempt_at__lte=now
    ).order_by("next_attempt_at")
    return list(due.values_list("pk", flat=True)[:100])
