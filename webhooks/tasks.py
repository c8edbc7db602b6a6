"""Celery tasks of the webhooks: interfaces only; each loads by id and calls its service."""

from __future__ import annotations

from smtplib import SMTPException

from celery import shared_task
from django.utils import timezone

from webhooks.models import WebhookEndpoint
from webhooks.notifications import webhook_endpoint_disabled_notify
from webhooks.selectors import webhook_deliveries_due
from webhooks.services import webhook_delivery_attempt


@shared_task(ignore_result=True)
def webhook_deliver(delivery_id: int) -> None:
    # No Celery retry: a failed attempt is rescheduled in the delivery row, which
    # webhooks_deliver_due picks up.
    webhook_delivery_attempt(delivery_id=delivery_id, now=timezone.now())


@shared_task(ignore_result=True)
def webhooks_deliver_due() -> None:
    """Beat: queue every delivery whose next try is due (retries, and any lost message)."""
    for delivery_id in webhook_deliveries_due(now=timezone.now()):
        webhook_deliver.delay(delivery_id)


@shared_task(bind=True, ignore_result=True, max_retries=5)
def webhook_endpoint_disabled_email(self, endpoint_id: int) -> None:
    endpoint = (
        WebhookEndpoint.objects.select_related("creator__user").filter(pk=endpoint_id).first()
    )
    if endpoint is None:
        return
    try:
        webhook_endpoint_disabled_notify(endpoint=endpoint)
    except (SMTPException, OSError) as exc:
        raise self.retry(exc=exc, countdown=60 * 2**self.request.retries) from None
