"""Webhook endpoints and their deliveries.

The tables were created by the payments app and keep their names, so a site
upgraded from then keeps its endpoints, secrets and delivery log.
"""

from __future__ import annotations

import secrets
import uuid

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from creators.models import Creator
from payments.models import Tip, new_public_id


def new_webhook_secret() -> str:
    return f"whsec_{secrets.token_urlsafe(32)}"


class WebhookEvent(models.TextChoices):
    TIP_DETECTED = "tip.detected", _("Tip detected: a payment was seen, not yet confirmed")
    TIP_CONFIRMED = "tip.confirmed", _("Tip confirmed")
    TIP_REVERTED = "tip.reverted", _("Tip reverted: its payment was replaced or reorganised away")
    UNLOCK_PAID = "unlock.paid", _("Paid unlock sold: a buyer's payment reached the price")


class WebhookEndpoint(models.Model):
    """A URL of the creator's where Bitcache posts signed tip events."""

    creator_lookup = "creator"

    public_id = models.CharField(max_length=32, unique=True, default=new_public_id, editable=False)
    creator = models.ForeignKey(Creator, on_delete=models.CASCADE, related_name="webhook_endpoints")
    url = models.URLField(_("URL"), max_length=500)
    description = models.CharField(_("description"), max_length=80, blank=True)
    # Signs every delivery (HMAC-SHA256); the creator copies it into their receiver.
    secret = models.CharField(max_length=64, default=new_webhook_secret, editable=False)
    events = models.JSONField(default=list)
    is_active = models.BooleanField(default=True)
    # First failed attempt since the last success; after a day of failures the endpoint is
    # disabled and the creator told.
    failing_since = models.DateTimeField(null=True, blank=True)
    disabled_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        db_table = "payments_webhookendpoint"
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return self.url


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    SUCCEEDED = "succeeded", _("Delivered")
    FAILED = "failed", _("Failed")


class WebhookDelivery(models.Model):
    """One event for one endpoint, tried until it is accepted or its retry window ends.

    The next try is stored (`next_attempt_at`) and picked up by a beat task, so retries
    survive a restart of the broker or of every worker.
    """

    creator_lookup = "endpoint__creator"

    endpoint = models.ForeignKey(
        WebhookEndpoint, on_delete=models.CASCADE, related_name="deliveries"
    )
    # The receiver's idempotency key: the same event to several endpoints, or redelivered,
    # keeps its id.
    event_id = models.UUIDField(default=uuid.uuid4, editable=False)
    event_type = models.CharField(max_length=32, choices=WebhookEvent.choices)
    tip = models.ForeignKey(
        Tip, null=True, blank=True, on_delete=models.SET_NULL, related_name="webhook_deliveries"
    )
    payload = models.JSONField()
    status = models.CharField(
        max_length=16, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING
    )
    attempts = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    # No automatic retry is scheduled past this time.
    give_up_at = models.DateTimeField()
    last_attempt_at = models.DateTimeField(null=True, blank=True)
    response_code = models.PositiveSmallIntegerField(null=True, blank=True)
    error = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        db_table = "payments_webhookdelivery"
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["endpoint", "event_id"], name="webhook_delivery_unique_event"
            ),
        ]
        indexes = [models.Index(fields=["status", "next_attempt_at"])]

    def __str__(self) -> str:
        return f"{self.event_type} {self.event_id} to {self.endpoint}"
