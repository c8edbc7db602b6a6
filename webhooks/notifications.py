"""The creator's email when one of their webhook endpoints is disabled."""

from __future__ import annotations

from django.urls import reverse

from creators.emails import email_creator
from webhooks.models import WebhookEndpoint


def webhook_endpoint_disabled_notify(*, endpoint: WebhookEndpoint) -> None:
    email_creator(
        endpoint.creator,
        "webhooks/email/webhook_disabled",
        {
            "endpoint": endpoint,
            "endpoint_url": reverse("creators:webhook", args=[endpoint.public_id]),
        },
    )
