"""Reads for webhooks: a creator's endpoints and their delivery logs, and what is due."""

from __future__ import annotations

from datetime import datetime

from django.db.models import QuerySet

from creators.models import Creator
from creators.scoping import owned_by
from webhooks.models import DeliveryStatus, WebhookDelivery, WebhookEndpoint

DUE_BATCH = 500


def webhook_endpoints_of(*, creator: Creator) -> QuerySet[WebhookEndpoint]:
    return owned_by(creator, WebhookEndpoint).order_by("-created_at", "-pk")


def webhook_endpoint_of(*, creator: Creator, public_id: str) -> WebhookEndpoint | None:
    return owned_by(creator, WebhookEndpoint).filter(public_id=public_id).first()


def webhook_deliveries_of(
    *, creator: Creator, endpoint: WebhookEndpoint
) -> QuerySet[WebhookDelivery]:
    """The endpoint's delivery log, newest first."""
    return (
        owned_by(creator, WebhookDelivery)
        .filter(endpoint=endpoint)
        .select_related("tip")
        .order_by("-created_at", "-pk")
    )


def webhook_delivery_of(
    *, creator: Creator, endpoint: WebhookEndpoint, delivery_id: int
) -> WebhookDelivery | None:
    return (
        owned_by(creator, WebhookDelivery)
        .select_related("endpoint")
        .filter(endpoint=endpoint, pk=delivery_id)
        .first()
    )


def webhook_deliveries_due(*, now: datetime) -> list[int]:
    """Ids of deliveries whose next try is due, to active endpoints, oldest due first."""
    due = WebhookDelivery.objects.filter(
        status=DeliveryStatus.PENDING, next_attempt_at__lte=now, endpoint__is_active=True
    )
    return list(due.order_by("next_attempt_at").values_list("pk", flat=True)[:DUE_BATCH])


def webhook_deliveries_failed_count(*, since: datetime) -> int:
    """Deliveries that failed for good (no retry left) since `since`."""
    return WebhookDelivery.objects.filter(
        status=DeliveryStatus.FAILED, last_attempt_at__gte=since
    ).count()
