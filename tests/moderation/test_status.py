"""/staff/status/: what a staff member checks first when something seems wrong."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from chain import ChainSourceError
from chain.simulated import SimulatedChain
from payments.models import Tip
from tests.factories import CreatorFactory
from webhooks.models import DeliveryStatus, WebhookDelivery, WebhookEndpoint

pytestmark = pytest.mark.django_db


def test_it_shows_the_chain_source_and_how_far_the_scan_is(moderator_client, chain):
    chain.mine(3)

    response = moderator_client.get("/staff/status/")

    assert response.status_code == 200
    assert response.context["chain"]["ok"]
    assert response.context["chain"]["lag_blocks"] == 3
    assert "3 blocks behind." in response.content.decode()


def test_it_says_when_the_chain_source_is_unreachable(moderator_client, monkeypatch):
    def unreachable(self):
        raise ChainSourceError("connection refused")

    monkeypatch.setattr(SimulatedChain, "tip", unreachable)

    page = moderator_client.get("/staff/status/").content.decode()

    assert "Unreachable" in page and "connection refused" in page


def test_it_counts_open_tips_tips_per_day_and_creators_per_state(
    moderator_client, creator, make_tip
):
    make_tip()
    make_tip()
    Tip.objects.filter(pk=make_tip().pk).update(
        status="confirmed", created_at=timezone.now() - timedelta(days=1)
    )
    CreatorFactory(status="pending", wallet_key=None)

    context = moderator_client.get("/staff/status/").context

    assert context["open_tips_total"] == 2
    per_day = context["tips_per_day"]
    assert len(per_day) == 14
    assert per_day[-1][1:] == (2, 0)
    assert per_day[-2][1:] == (1, 1)
    assert ("Pending review", 1) in context["creators_per_status"]
    assert ("Active", 1) in context["creators_per_status"]


def test_it_counts_webhook_deliveries_that_failed_in_the_last_day(moderator_client, creator):
    endpoint = WebhookEndpoint.objects.create(creator=creator, url="https://example.com/hook")
    now = timezone.now()
    for status, attempted in [
        (DeliveryStatus.FAILED, now - timedelta(hours=1)),
        (DeliveryStatus.FAILED, now - timedelta(days=2)),
        (DeliveryStatus.SUCCEEDED, now),
    ]:
        WebhookDelivery.objects.create(
            endpoint=endpoint,
            event_type="tip.confirmed",
            payload={},
            status=status,
            last_attempt_at=attempted,
            give_up_at=now,
        )

    assert moderator_client.get("/staff/status/").context["webhook_failures"] == 1
