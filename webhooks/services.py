"""Writes for webhooks: the creator's endpoints, and delivering events to them.

A delivery is tried at once, then again with exponential backoff until a day
after the event. Its next try is a column (`next_attempt_at`) that a beat task
polls, so no retry lives only in the broker. An endpoint that has failed for a
day is disabled and its creator emailed.
"""

from __future__ import annotations

import ipaddress
import logging
import time
import uuid
from datetime import datetime, timedelta
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from creators.models import Creator
from creators.scoping import owned_by
from payments.models import Tip, TipEvent
from webhooks import outgoing
from webhooks.events import (
    event_payload,
    events_for,
    payload_body,
    unlock_paid_payload,
)
from webhooks.models import DeliveryStatus, WebhookDelivery, WebhookEndpoint, WebhookEvent
from webhooks.signing import EVENT_HEADER, SIGNATURE_HEADER, TIMESTAMP_HEADER, signature

RETRY_WINDOW = timedelta(hours=24)
DISABLE_AFTER = timedelta(hours=24)
FIRST_RETRY = timedelta(seconds=30)
MAX_RETRY_DELAY = timedelta(hours=4)
MAX_ENDPOINTS_PER_CREATOR = 10

logger = logging.getLogger(__name__)


def retry_delay(attempts: int) -> timedelta:
    """30 s, 1 min, 2 min, ... doubling after each failed attempt, at most 4 h apart."""
    return min(FIRST_RETRY * 2 ** (attempts - 1), MAX_RETRY_DELAY)


def _lease() -> timedelta:
    # While one worker attempts a delivery nobody else may; if that worker dies, the
    # delivery is due again once this has passed.
    return timedelta(seconds=settings.BITCACHE_WEBHOOK_TIMEOUT_SECONDS * 3 + 30)


# --- Endpoints ----------------------------------------------------------------


def _validate_url(url: str) -> str:
    schemes = ["https"] if settings.BITCACHE_WEBHOOK_REQUIRE_HTTPS else ["http", "https"]
    url = url.strip()
    URLValidator(
        schemes=schemes, message=_("Enter an https:// URL.") if len(schemes) == 1 else None
    )(url)
    parts = urlsplit(url)
    if parts.username or parts.password:
        raise ValidationError(_("Leave credentials out of the URL."), code="credentials")
    port = parts.port or (443 if parts.scheme == "https" else 80)
    try:
        addresses = [ipaddress.ip_address((parts.hostname or "").strip("[]"))]
    except ValueError:
        # A host name: resolved and checked again at every delivery. It may name a
        # receiver on a network the operator allows, which may use any port.
        addresses = []
    if addresses and not outgoing.address_allowed(addresses[0]):
        raise ValidationError(
            _("Webhooks cannot be sent to private, loopback or reserved addresses."),
            code="private_address",
        )
    may_name_an_allowed_network = not addresses and bool(settings.BITCACHE_WEBHOOK_ALLOWED_NETWORKS)
    if not (outgoing.port_allowed(port, addresses) or may_name_an_allowed_network):
        ports = ", ".join(str(port) for port in settings.BITCACHE_WEBHOOK_ALLOWED_PORTS)
        raise ValidationError(
            _("Webhooks can only be sent to ports %(ports)s.") % {"ports": ports}, code="port"
        )
    return url


def _validate_events(events: list[str]) -> list[str]:
    chosen = [event for event in WebhookEvent.values if event in set(events)]
    if not chosen or len(chosen) != len(set(events)):
        raise ValidationError(_("Choose at least one of the events."), code="events")
    return chosen


def _endpoint_save(
    endpoint: WebhookEndpoint, *, url: str, events: list[str], description: str
) -> WebhookEndpoint:
    errors: dict[str, ValidationError] = {}
    try:
        endpoint.url = _validate_url(url)
    except ValidationError as error:
        errors["url"] = error
    try:
        endpoint.events = _validate_events(events)
    except ValidationError as error:
        errors["events"] = error
    if errors:
        raise ValidationError(errors)
    endpoint.description = description.strip()
    endpoint.full_clean()
    endpoint.save()
    return endpoint


def webhook_endpoint_create(
    *, creator: Creator, url: str, events: list[str], description: str = ""
) -> WebhookEndpoint:
    if owned_by(creator, WebhookEndpoint).count() >= MAX_ENDPOINTS_PER_CREATOR:
        raise ValidationError(
            _("At most %(max)d webhook endpoints."),
            params={"max": MAX_ENDPOINTS_PER_CREATOR},
            code="too_many",
        )
    return _endpoint_save(
        WebhookEndpoint(creator=creator), url=url, events=events, description=description
    )


def webhook_endpoint_update(
    *, endpoint: WebhookEndpoint, url: str, events: list[str], description: str
) -> WebhookEndpoint:
    return _endpoint_save(endpoint, url=url, events=events, description=description)


def webhook_endpoint_set_active(*, endpoint: WebhookEndpoint, active: bool) -> WebhookEndpoint:
    """Disable, or enable again: its failure count starts afresh and pending deliveries resume."""
    endpoint.is_active = active
    endpoint.failing_since = None
    endpoint.disabled_at = None if active else timezone.now()
    endpoint.save(update_fields=["is_active", "failing_since", "disabled_at"])
    if active:
        owned_by(endpoint.creator, WebhookDelivery).filter(
            endpoint=endpoint, status=DeliveryStatus.PENDING
        ).update(next_attempt_at=timezone.now())
    return endpoint


def webhook_endpoint_delete(*, endpoint: WebhookEndpoint) -> None:
    endpoint.delete()


# --- Deliveries ---------------------------------------------------------------


def _queue(delivery_ids: list[int]) -> None:
    """Attempt the deliveries right after commit. Best effort: rows not sent because the
    broker is down are due already, and the beat task (webhooks_deliver_due) sends them."""
    from webhooks.tasks import webhook_deliver  # tasks call services, not the reverse

    def queue() -> None:
        for delivery_id in delivery_ids:
            try:
                webhook_deliver.delay(delivery_id)
            except Exception:
                logger.warning("could not queue webhook delivery %s", delivery_id, exc_info=True)

    transaction.on_commit(queue, robust=True)


def tip_event_id(event: TipEvent, event_type: str) -> uuid.UUID:
    """The webhook event id of one event type a tip event makes: random per tip event,
    the same every time it is computed."""
    return uuid.uuid5(event.uuid, event_type)


def webhook_events_emit(*, event: TipEvent) -> list[WebhookDelivery]:
    """A delivery of each webhook event a tip's status move makes to each endpoint that
    wants it. Run once per tip event by the outbox (payments.events)."""
    events = events_for(event.from_status, event.to_status)
    if not events:
        return []
    return _deliveries_create(
        tip=event.tip,
        now=event.created_at,
        payloads={
            event_type: event_payload(
                event_id=tip_event_id(event, event_type),
                event_type=event_type,
                tip_data=event.tip_data,
                previous=event.from_status,
                created_at=event.created_at,
            )
            for event_type in events
        },
    )


def webhook_unlock_paid_emit(*, grant, now: datetime) -> list[WebhookDelivery]:
    """`unlock.paid` to each endpoint that wants it, once per grant."""
    payload = unlock_paid_payload(event_id=uuid.uuid4(), grant=grant, created_at=now)
    return _deliveries_create(
        tip=grant.purchase, now=now, payloads={WebhookEvent.UNLOCK_PAID: payload}
    )


def _deliveries_create(
    *, tip: Tip, now: datetime, payloads: dict[str, dict]
) -> list[WebhookDelivery]:
    endpoints = list(owned_by(tip.creator, WebhookEndpoint).filter(is_active=True))
    deliveries = [
        WebhookDelivery(
            endpoint=endpoint,
            event_id=uuid.UUID(payload["id"]),
            event_type=event,
            tip=tip,
            payload=payload,
            next_attempt_at=now,
            give_up_at=now + RETRY_WINDOW,
            created_at=now,
        )
        for event, payload in payloads.items()
        for endpoint in endpoints
        if event in endpoint.events
    ]
    if not deliveries:
        return []
    with transaction.atomic():
        created = WebhookDelivery.objects.bulk_create(deliveries)
        _queue([delivery.pk for delivery in created])
    return created


def webhook_delivery_redeliver(*, delivery: WebhookDelivery) -> WebhookDelivery:
    """Try again now: the same event, with the same id, freshly signed."""
    if not delivery.endpoint.is_active:
        raise ValidationError(
            _("This endpoint is disabled. Enable it first."), code="endpoint_disabled"
        )
    delivery.status = DeliveryStatus.PENDING
    delivery.next_attempt_at = timezone.now()
    delivery.save(update_fields=["status", "next_attempt_at"])
    _queue([delivery.pk])
    return delivery


def _claim(delivery_id: int, now: datetime) -> WebhookDelivery | None:
    """The delivery, if it is due and no other worker holds it; then we hold it."""
    claimed = WebhookDelivery.objects.filter(
        pk=delivery_id,
        status=DeliveryStatus.PENDING,
        next_attempt_at__lte=now,
        endpoint__is_active=True,
    ).update(next_attempt_at=now + _lease())
    if not claimed:
        return None
    return WebhookDelivery.objects.select_related("endpoint__creator").get(pk=delivery_id)


def _send(delivery: WebhookDelivery) -> tuple[int | None, str]:
    """POST the delivery; its HTTP status (None without an answer) and what went wrong."""
    body = payload_body(delivery.payload)
    timestamp = int(time.time())
    headers = {
        "Content-Type": "application/json",
        "User-Agent": "Bitcache-Webhooks/1",
        EVENT_HEADER: delivery.event_type,
        TIMESTAMP_HEADER: str(timestamp),
        SIGNATURE_HEADER: signature(delivery.endpoint.secret, timestamp, body),
    }
    try:
        status = outgoing.post(
            delivery.endpoint.url,
            body,
            headers,
            timeout=settings.BITCACHE_WEBHOOK_TIMEOUT_SECONDS,
        )
    except outgoing.DeliveryError as error:
        return None, str(error)
    if 200 <= status < 300:
        return status, ""
    # Redirects are answers too, and failures: we never follow them.
    return status, f"HTTP {status}"


def webhook_delivery_attempt(*, delivery_id: int, now: datetime) -> WebhookDelivery | None:
    """Try a due delivery once; record the outcome and when to try again, if ever."""
    delivery = _claim(delivery_id, now)
    if delivery is None:
        return None
    if delivery.attempts == 0:
        # The day of retries counts from the first try, so a receiver that is down
        # from then on has failed for a full day at the last one.
        delivery.give_up_at = now + RETRY_WINDOW
    response_code, error = _send(delivery)
    delivery.attempts += 1
    delivery.last_attempt_at = now
    delivery.response_code = response_code
    delivery.error = error[:300]
    if not error:
        delivery.status = DeliveryStatus.SUCCEEDED
        delivery.next_attempt_at = None
        WebhookEndpoint.objects.filter(pk=delivery.endpoint_id).update(failing_since=None)
    else:
        _schedule_retry(delivery, now)
        _endpoint_failed(delivery.endpoint, now)
    delivery.save()
    return delivery


def _schedule_retry(delivery: WebhookDelivery, now: datetime) -> None:
    retry_at = now + retry_delay(delivery.attempts)
    if now >= delivery.give_up_at:
        delivery.status = DeliveryStatus.FAILED
        delivery.next_attempt_at = None
    else:
        # The last try is at the end of the window: a receiver down for a day is then
        # seen failing for the whole day, and its endpoint disabled.
        delivery.next_attempt_at = min(retry_at, delivery.give_up_at)


def _endpoint_failed(endpoint: WebhookEndpoint, now: datetime) -> None:
    from webhooks.tasks import webhook_endpoint_disabled_email

    WebhookEndpoint.objects.filter(pk=endpoint.pk, failing_since__isnull=True).update(
        failing_since=now
    )
    disabled = WebhookEndpoint.objects.filter(
        pk=endpoint.pk, is_active=True, failing_since__lte=now - DISABLE_AFTER
    ).update(is_active=False, disabled_at=now)
    if disabled:
        transaction.on_commit(lambda: webhook_endpoint_disabled_email.delay(endpoint.pk))
