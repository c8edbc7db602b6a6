"""Tip creation is rate-limited per client address and per creator, with a clear 429."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from django.test import override_settings

from payments.models import Tip

pytestmark = pytest.mark.django_db


def tip_from(client, address: str, path: str = "/@alice"):
    return client.post(path, {"amount_sats": "5000"}, REMOTE_ADDR=address)


@override_settings(BITCACHE_TIP_RATE_PER_IP=3, BITCACHE_MAX_OPEN_TIPS_PER_CREATOR=100)
def test_it_slows_down_one_client_making_too_many_tips(client, creator):
    for _ in range(3):
        assert tip_from(client, "203.0.113.7").status_code == 302

    response = tip_from(client, "203.0.113.7")

    assert response.status_code == 429
    assert "Too many tips in a short time. Please wait a minute" in response.content.decode()
    assert 0 < int(response["Retry-After"]) <= 60
    assert Tip.objects.count() == 3


@override_settings(BITCACHE_TIP_RATE_PER_IP=3, BITCACHE_MAX_OPEN_TIPS_PER_CREATOR=100)
def test_another_client_is_not_slowed_down_by_the_first(client, creator):
    for _ in range(4):
        tip_from(client, "203.0.113.7")

    assert tip_from(client, "198.51.100.9").status_code == 302


@override_settings(
    BITCACHE_TIP_RATE_PER_IP=100,
    BITCACHE_TIP_RATE_PER_CREATOR=5,
    BITCACHE_MAX_OPEN_TIPS_PER_CREATOR=100,
)
def test_it_slows_down_tips_to_one_creator_from_many_clients(client, creator, widget):
    for number in range(5):
        assert tip_from(client, f"203.0.113.{number}").status_code == 302

    response = tip_from(client, "198.51.100.9", f"/w/{widget.public_id}/")

    assert response.status_code == 429
    assert "X-Frame-Options" not in response  # the widget still shows the message
    assert Tip.objects.count() == 5


@override_settings(
    BITCACHE_TIP_RATE_PER_IP=10,
    BITCACHE_MAX_OPEN_TIPS_PER_CREATOR=100,
    BITCACHE_MAX_OPEN_TIPS_PER_CLIENT=100,
)
def test_a_minute_boundary_does_not_reset_a_clients_count(client, creator, monkeypatch):
    clock = SimpleNamespace(value=1_800_000_059.0)
    monkeypatch.setattr("web.ratelimit.time", SimpleNamespace(time=lambda: clock.value))
    before = [tip_from(client, "203.0.113.7").status_code for _ in range(10)]
    clock.value += 2  # just after the boundary: the last minute still holds those 10

    after = [tip_from(client, "203.0.113.7").status_code for _ in range(5)]

    assert (before, after) == ([302] * 10, [429] * 5)
    clock.value += 60  # a minute after them, the client may tip again
    assert tip_from(client, "203.0.113.7").status_code == 302
