"""A stranger filling a creator's open-tip places must not stop everyone else from tipping.

The attack (issue 14): 15 tip requests, 10 just before a minute boundary and 5 just
after, fill the 15 places; every viewer then got "busy" for the hour the tips stay
open. From one address the per-client cap and the sliding rate limit stop it; from 16
addresses the places free up once nobody watches the tips' payment screens: within
BITCACHE_TIP_UNSEEN_SECONDS when a script never opened them, as a flood does.
"""

from __future__ import annotations

from datetime import timedelta
from types import SimpleNamespace

import pytest
from django.db.models import F
from django.test import override_settings

from payments.models import Tip

pytestmark = pytest.mark.django_db

ATTACKER = "203.0.113.66"
FRESH_VIEWER = "198.51.100.20"
OUR_PROXY = "10.0.0.2"


@pytest.fixture
def clock(monkeypatch):
    """The rate limiter's clock, set by the test (seconds since the epoch)."""
    now = SimpleNamespace(value=1_800_000_000.0)
    monkeypatch.setattr("web.ratelimit.time", SimpleNamespace(time=lambda: now.value))
    return now


def tip_from(client, address: str, path: str = "/@alice"):
    """A tip form posted through our reverse proxy, which appends the client's address."""
    return client.post(
        path, {"amount_sats": "5000"}, REMOTE_ADDR=OUR_PROXY, HTTP_X_FORWARDED_FOR=address
    )


def api_tip_from(client, address: str):
    return client.post(
        "/api/v1/tips/",
        {"handle": "alice", "amount_sats": 5000},
        content_type="application/json",
        REMOTE_ADDR=OUR_PROXY,
        HTTP_X_FORWARDED_FOR=address,
    )


def minutes_pass(minutes: float) -> None:
    """Every tip was made, and last watched, `minutes` earlier than it was."""
    shift = timedelta(minutes=minutes)
    Tip.objects.update(
        created_at=F("created_at") - shift,
        expires_at=F("expires_at") - shift,
        watched_at=F("watched_at") - shift,
    )


@override_settings(BITCACHE_TRUSTED_PROXIES=1)
def test_fifteen_tips_from_one_address_leave_a_fresh_viewer_able_to_tip(client, creator, clock):
    clock.value = 1_800_000_059.0  # 10 requests just before a minute boundary...
    attack = [tip_from(client, ATTACKER) for _ in range(10)]
    clock.value = 1_800_000_061.0  # ...and 5 just after
    attack += [api_tip_from(client, ATTACKER) for _ in range(5)]

    assert [r.status_code for r in attack].count(429) == 12
    assert Tip.objects.count() == 3  # BITCACHE_MAX_OPEN_TIPS_PER_CLIENT
    assert tip_from(client, FRESH_VIEWER).status_code == 302


@override_settings(BITCACHE_TRUSTED_PROXIES=1)
def test_tips_from_sixteen_addresses_stop_blocking_once_nobody_watches_them(client, creator):
    attack = [tip_from(client, f"203.0.113.{number}") for number in range(16)]
    assert [r.status_code for r in attack].count(302) == 15

    refused = tip_from(client, FRESH_VIEWER)

    # The viewer is told the real wait: a tip whose payment screen was never opened
    # holds its place BITCACHE_TIP_UNSEEN_SECONDS (90), not until it expires.
    assert refused.status_code == 429
    assert "A place frees up in about 2 minutes" in refused.content.decode()
    assert 60 < int(refused["Retry-After"]) <= 90

    minutes_pass(1.5)

    assert tip_from(client, FRESH_VIEWER).status_code == 302


@override_settings(BITCACHE_TRUSTED_PROXIES=1)
def test_tips_opened_on_screen_hold_their_places_while_watched_then_free_them(client, creator):
    for number in range(15):
        screen = tip_from(client, f"203.0.113.{number}")["Location"]
        client.get(screen, REMOTE_ADDR=OUR_PROXY, HTTP_X_FORWARDED_FOR=f"203.0.113.{number}")

    minutes_pass(2)
    assert tip_from(client, FRESH_VIEWER).status_code == 429  # watched: places held

    minutes_pass(9)
    assert tip_from(client, FRESH_VIEWER).status_code == 302  # nobody watched for 10 min


@override_settings(BITCACHE_TRUSTED_PROXIES=1, BITCACHE_GAP_LIMIT=16)
def test_a_viewer_watching_their_payment_screen_keeps_their_address_through_the_attack(
    client, creator, chain
):
    screen = tip_from(client, FRESH_VIEWER)["Location"]
    client.get(screen)
    viewer_tip = Tip.objects.get()
    for number in range(14):
        tip_from(client, f"203.0.113.{number}")
    minutes_pass(9)
    client.get(f"/t/{viewer_tip.public_id}/status.json")  # the viewer's screen still polls
    minutes_pass(2)

    # The attacker's unwatched tips gave their places back, and under gap-limit pressure
    # their addresses: new viewers get them, never the address the viewer is paying.
    new_tips = [api_tip_from(client, f"198.51.100.{number}") for number in range(14)]

    assert [r.status_code for r in new_tips] == [201] * 14
    assert viewer_tip.address.address not in {r.json()["address"] for r in new_tips}
    state = client.get(f"/t/{viewer_tip.public_id}/status.json").json()
    assert (state["status"], state["address"]) == ("awaiting_payment", viewer_tip.address.address)


@override_settings(BITCACHE_TRUSTED_PROXIES=1)
def test_an_api_viewer_is_told_when_a_place_frees(client, creator):
    for number in range(15):
        api_tip_from(client, f"203.0.113.{number}")

    response = api_tip_from(client, FRESH_VIEWER)

    assert response.status_code == 429
    assert response.json()["error"]["code"] == "busy"
    assert "A place frees up in about 2 minutes" in response.json()["error"]["message"]
    assert 60 < int(response["Retry-After"]) <= 90


@override_settings(BITCACHE_TRUSTED_PROXIES=1)
def test_one_ipv6_subscriber_counts_as_one_client(client, creator):
    statuses = [tip_from(client, f"2001:db8:1:2::{number:x}").status_code for number in range(6)]

    assert statuses == [302, 302, 302, 429, 429, 429]
    assert tip_from(client, "2001:db8:1:3::1").status_code == 302


def test_tips_remember_a_keyed_hash_of_the_client_never_its_address(client, creator):
    tip_from(client, ATTACKER)

    fingerprint = Tip.objects.get().client_fingerprint
    assert len(fingerprint) == 64
    assert ATTACKER not in fingerprint
    assert OUR_PROXY not in fingerprint
