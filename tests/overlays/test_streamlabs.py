"""The Streamlabs bridge, against a local HTTP double only: each alerted tip is posted once,
with the creator's own (sealed) token, what the alert shows, and a fiat amount."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from decimal import Decimal
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.utils import timezone

from overlays.models import OverlayEvent, OverlaySettings, StreamlabsPost
from overlays.streamlabs import streamlabs_post_send, streamlabs_settings_update
from overlays.tasks import streamlabs_posts_retry
from payments.services import tip_create
from rates.models import Rate

pytestmark = pytest.mark.django_db

TOKEN = "sl-token-of-alice"


class StreamlabsDouble:
    """Answers like Streamlabs' donations endpoint: records each request, answers `status`."""

    def __init__(self) -> None:
        self.requests: list[dict] = []
        self.status = 200
        double = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"]))
                double.requests.append(
                    {"auth": self.headers["Authorization"], "body": json.loads(body)}
                )
                self.send_response(double.status)
                self.send_header("Content-Type", "application/json")
                self.end_headers()
                self.wfile.write(b'{"donation_id": 1}')

            def log_message(self, *args) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/api/v2.0/donations"


@pytest.fixture
def streamlabs(settings) -> Iterator[StreamlabsDouble]:
    double = StreamlabsDouble()
    thread = threading.Thread(target=double.server.serve_forever, daemon=True)
    thread.start()
    settings.BITCACHE_STREAMLABS_API_URL = double.url
    yield double
    double.server.shutdown()
    double.server.server_close()


@pytest.fixture
def bridged(overlay) -> OverlaySettings:
    Rate.objects.create(
        currency="EUR", rate=Decimal("50000"), sources=["test"], fetched_at=timezone.now()
    )
    return streamlabs_settings_update(overlay=overlay, enabled=True, currency="EUR", token=TOKEN)


def test_each_alerted_tip_is_posted_once_with_the_creators_token(creator, bridged, streamlabs, pay):
    tip = tip_create(
        creator=creator, amount_sats=20_000, name="Bob", name_public=True, message="GG"
    )
    pay(tip, confirm=False)
    pay(tip)  # confirmed later: no second post
    (request,) = streamlabs.requests
    assert request["auth"] == f"Bearer {TOKEN}"
    body = request["body"]
    assert (body["name"], body["message"], body["currency"]) == ("Bob", "GG", "EUR")
    assert Decimal(body["amount"]) == Decimal("10.00")  # 20,000 sats at 50,000 EUR/BTC
    assert tip.public_id not in json.dumps(body)
    assert StreamlabsPost.objects.get().status == "sent"


def test_the_token_is_sealed_and_the_name_needs_consent(creator, bridged, streamlabs, pay):
    assert TOKEN not in OverlaySettings.objects.get(pk=bridged.pk).streamlabs_token_sealed
    pay(tip_create(creator=creator, amount_sats=5000, name="Erin", message="hi"))
    assert streamlabs.requests[0]["body"]["name"] == "Anonymous"


def test_a_streamlabs_outage_is_retried_and_a_refusal_is_not(creator, bridged, streamlabs, pay):
    streamlabs.status = 503
    pay(tip_create(creator=creator, amount_sats=5000), confirm=False)
    post = StreamlabsPost.objects.get()
    assert (post.status, post.attempts) == ("pending", 1)
    assert post.next_attempt_at > timezone.now()

    streamlabs.status = 200
    streamlabs_post_send(post_id=post.pk, now=post.next_attempt_at)
    post.refresh_from_db()
    assert post.status == "sent"
    assert len(streamlabs.requests) == 2

    streamlabs.status = 401
    pay(tip_create(creator=creator, amount_sats=6000), confirm=False)
    refused = StreamlabsPost.objects.exclude(pk=post.pk).get()
    assert refused.status == "failed"
    assert "401" in refused.last_error
    streamlabs_posts_retry()
    assert len(streamlabs.requests) == 3  # a refusal is not retried


def test_nothing_is_posted_when_the_bridge_is_off_or_no_rate_is_fresh(
    creator, bridged, streamlabs, pay
):
    Rate.objects.update(fetched_at=timezone.now() - timezone.timedelta(days=1))
    pay(tip_create(creator=creator, amount_sats=5000), confirm=False)
    assert StreamlabsPost.objects.get().status == "no_rate"
    streamlabs_settings_update(overlay=bridged, enabled=False, currency="EUR")
    pay(tip_create(creator=creator, amount_sats=5000), confirm=False)
    assert StreamlabsPost.objects.count() == 1
    assert streamlabs.requests == []


def test_streamlabs_gets_the_amount_the_alert_shows_at_the_tips_own_rate(
    creator, bridged, streamlabs, pay
):
    creator.display_currency = "EUR"  # the tip's snapshot is in EUR, Streamlabs' currency
    creator.save()
    tip = tip_create(creator=creator, amount_sats=20_000)  # at 50,000 EUR/BTC: 10.00 EUR
    Rate.objects.update(rate=Decimal("100000"))  # the rate moves before the payment is seen
    pay(tip, confirm=False)

    alert = OverlayEvent.objects.get(tip=tip, kind="alert").data
    assert alert["fiat"] == {"amount": "10.00", "currency": "EUR"}
    assert Decimal(streamlabs.requests[0]["body"]["amount"]) == Decimal("10.00")
