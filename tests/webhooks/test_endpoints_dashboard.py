"""/dashboard/webhooks/: register endpoints, read their delivery log, redeliver."""

from __future__ import annotations

import pytest
from django.test import override_settings

from tests.factories import CreatorFactory
from webhooks.models import DeliveryStatus, WebhookDelivery, WebhookEndpoint
from webhooks.services import webhook_endpoint_create
from webhooks.tasks import webhooks_deliver_due

pytestmark = pytest.mark.django_db


def test_it_registers_an_endpoint(creator_client, creator):
    response = creator_client.post(
        "/dashboard/webhooks/new/",
        {
            "url": "https://hooks.example/bitcache",
            "events": ["tip.confirmed"],
            "description": "shop",
        },
    )

    endpoint = WebhookEndpoint.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/dashboard/webhooks/{endpoint.public_id}/"
    assert endpoint.creator == creator
    assert endpoint.events == ["tip.confirmed"]
    assert endpoint.secret.startswith("whsec_")


def test_it_shows_the_signing_secret(creator_client, creator):
    endpoint = webhook_endpoint_create(
        creator=creator, url="https://hooks.example/", events=["tip.confirmed"]
    )

    page = creator_client.get(f"/dashboard/webhooks/{endpoint.public_id}/").content.decode()

    assert endpoint.secret in page


@override_settings(BITCACHE_WEBHOOK_REQUIRE_HTTPS=True)
def test_it_requires_https_in_production(creator_client):
    response = creator_client.post(
        "/dashboard/webhooks/new/", {"url": "http://hooks.example/", "events": ["tip.confirmed"]}
    )

    assert response.status_code == 200
    assert "Enter an https:// URL." in response.content.decode()
    assert not WebhookEndpoint.objects.exists()


@pytest.mark.parametrize(
    "url",
    [
        "https://10.0.0.7/hook",
        "https://[::1]/hook",
        "https://169.254.169.254/",
        "https://[fec0::1]/",
        "https://192.0.0.8/",
    ],
)
@override_settings(BITCACHE_WEBHOOK_ALLOWED_NETWORKS=[])
def test_it_refuses_private_addresses(creator_client, url):
    response = creator_client.post(
        "/dashboard/webhooks/new/", {"url": url, "events": ["tip.confirmed"]}
    )

    assert response.status_code == 200
    assert "private, loopback or reserved addresses" in response.content.decode()
    assert not WebhookEndpoint.objects.exists()


@pytest.mark.parametrize("url", ["https://hooks.example:22/", "https://93.184.216.34:6379/"])
@override_settings(BITCACHE_WEBHOOK_ALLOWED_NETWORKS=[])
def test_it_refuses_ports_other_than_the_webs(creator_client, url):
    response = creator_client.post(
        "/dashboard/webhooks/new/", {"url": url, "events": ["tip.confirmed"]}
    )

    assert response.status_code == 200
    assert "Webhooks can only be sent to ports 443, 80, 8443." in response.content.decode()
    assert not WebhookEndpoint.objects.exists()


def test_it_refuses_credentials_in_the_url(creator_client):
    response = creator_client.post(
        "/dashboard/webhooks/new/",
        {"url": "https://user:pw@hooks.example/", "events": ["tip.confirmed"]},
    )

    assert "Leave credentials out of the URL." in response.content.decode()


def test_it_needs_an_event(creator_client):
    response = creator_client.post("/dashboard/webhooks/new/", {"url": "https://hooks.example/"})

    assert response.status_code == 200
    assert not WebhookEndpoint.objects.exists()


def test_it_shows_the_delivery_log(creator_client, endpoint, receiver, tip, pay):
    receiver.status = 500
    pay(tip, confirm=False)

    response = creator_client.get(f"/dashboard/webhooks/{endpoint.public_id}/")

    page = response.content.decode()
    delivery = WebhookDelivery.objects.get()
    assert "tip.detected" in page
    assert str(delivery.event_id) in page
    assert "HTTP 500" in page
    assert "next try" in page
    assert f"/deliveries/{delivery.pk}/redeliver" in page


def test_it_redelivers_an_event(
    creator_client, endpoint, receiver, tip, pay, django_capture_on_commit_callbacks
):
    pay(tip, confirm=False)
    delivery = WebhookDelivery.objects.get()

    with django_capture_on_commit_callbacks(execute=True):
        response = creator_client.post(
            f"/dashboard/webhooks/{endpoint.public_id}/deliveries/{delivery.pk}/redeliver"
        )

    assert response.status_code == 302
    delivery.refresh_from_db()
    assert delivery.attempts == 2
    assert delivery.status == DeliveryStatus.SUCCEEDED
    assert len(receiver.requests) == 2
    assert receiver.requests[0].body == receiver.requests[1].body


def test_it_disables_and_enables_an_endpoint(creator_client, endpoint):
    creator_client.post(f"/dashboard/webhooks/{endpoint.public_id}/active", {"active": "0"})
    endpoint.refresh_from_db()
    assert not endpoint.is_active

    creator_client.post(f"/dashboard/webhooks/{endpoint.public_id}/active", {"active": "1"})
    endpoint.refresh_from_db()
    assert endpoint.is_active
    assert endpoint.failing_since is None


def test_enabling_again_resumes_pending_deliveries(creator_client, endpoint, receiver, tip, pay):
    receiver.status = 500
    pay(tip, confirm=False)
    creator_client.post(f"/dashboard/webhooks/{endpoint.public_id}/active", {"active": "0"})
    receiver.status = 200

    creator_client.post(f"/dashboard/webhooks/{endpoint.public_id}/active", {"active": "1"})
    webhooks_deliver_due()

    assert WebhookDelivery.objects.get().status == DeliveryStatus.SUCCEEDED


def test_it_refuses_to_redeliver_to_a_disabled_endpoint(creator_client, endpoint, tip, pay):
    pay(tip, confirm=False)
    delivery = WebhookDelivery.objects.get()
    creator_client.post(f"/dashboard/webhooks/{endpoint.public_id}/active", {"active": "0"})

    response = creator_client.post(
        f"/dashboard/webhooks/{endpoint.public_id}/deliveries/{delivery.pk}/redeliver", follow=True
    )

    assert "This endpoint is disabled. Enable it first." in response.content.decode()


def test_it_deletes_an_endpoint(creator_client, endpoint):
    response = creator_client.post(f"/dashboard/webhooks/{endpoint.public_id}/delete")

    assert response.status_code == 302
    assert not WebhookEndpoint.objects.exists()


def test_it_handles_another_creators_endpoint(creator_client):
    theirs = webhook_endpoint_create(
        creator=CreatorFactory(), url="https://theirs.example/", events=["tip.confirmed"]
    )

    assert creator_client.get(f"/dashboard/webhooks/{theirs.public_id}/").status_code == 404
    assert creator_client.post(f"/dashboard/webhooks/{theirs.public_id}/delete").status_code == 404
    assert WebhookEndpoint.objects.filter(pk=theirs.pk).exists()
