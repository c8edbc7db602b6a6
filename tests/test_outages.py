"""When Redis or PostgreSQL is down: health says what is down, viewers still tip,
and everything else gets a styled "try again in a minute" page instead of a bare 500."""

from __future__ import annotations

import logging

import pytest
from django.db import OperationalError, connection
from django.test import Client

from payments.models import Tip
from tests.factories import CreatorFactory
from web import outages

pytestmark = pytest.mark.django_db

# bitcache.settings uses Django's own RedisCache when CACHE_URL is set; nothing listens on port 1.
REDIS_DOWN = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": "redis://127.0.0.1:1/",
    }
}


@pytest.fixture
def creator(db):
    return CreatorFactory(handle="alice", display_name="Alice Films", min_tip_sats=1000)


@pytest.fixture
def redis_down(settings, monkeypatch):
    monkeypatch.setattr(outages, "_failing", set())  # each test starts with no outage logged
    settings.CACHES = REDIS_DOWN


@pytest.fixture
def database_down():
    def refuse(execute, sql, params, many, context):
        raise OperationalError("connection to server at 127.0.0.1, port 5432 failed")

    with connection.execute_wrapper(refuse):
        yield


@pytest.fixture
def browser():
    """A client that gets the error page, as a browser would, instead of the exception."""
    return Client(raise_request_exception=False)


def test_health_reports_the_cache_down_with_a_503(client, redis_down):
    response = client.get("/healthz")

    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "unhealthy"
    assert body["cache"] == {"ok": False, "error": "unavailable"}
    # What still works is reported as working.
    assert body["database"]["ok"] and body["chain_source"]["ok"]


def test_health_reports_the_cache_up(client):
    assert client.get("/healthz").json()["cache"] == {"ok": True}


def test_a_viewer_still_sees_the_tip_page_while_the_cache_is_down(client, creator, redis_down):
    response = client.get("/@alice")

    assert response.status_code == 200
    assert "Alice Films" in response.content.decode()


def test_a_viewer_can_still_tip_while_the_cache_is_down(client, creator, redis_down):
    response = client.post("/@alice", {"amount_sats": "5000"})

    assert response.status_code == 302
    assert Tip.objects.filter(creator=creator, amount_sats=5000).count() == 1


def test_rate_limits_fail_open_and_say_so_once(client, creator, redis_down, settings, caplog):
    settings.BITCACHE_TIP_RATE_PER_IP = 1

    with caplog.at_level(logging.WARNING, logger="web.outages"):
        statuses = [client.post("/@alice", {"amount_sats": "5000"}).status_code for _ in range(3)]

    assert statuses == [302, 302, 302]
    rate_limit_lines = [r for r in caplog.records if "rate limits" in r.getMessage()]
    assert len(rate_limit_lines) == 1


def test_pages_ask_to_try_again_in_a_minute_while_the_database_is_down(
    browser, creator, database_down
):
    response = browser.get("/@alice")

    assert response.status_code == 503
    assert response["Retry-After"] == "60"
    page = response.content.decode()
    assert "Please try again in a minute." in page
    assert 'class="site-header"' in page  # our layout, not a bare error
    assert "bitcache/site.css" in page


def test_health_reports_the_database_down_with_a_503(client, database_down):
    response = client.get("/healthz")

    assert response.status_code == 503
    assert response.json()["database"] == {"ok": False, "error": "unavailable"}


def test_an_unexpected_error_gets_the_styled_500_page(browser, creator, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("a bug")

    monkeypatch.setattr("widgets.views.tip_flow", broken)

    response = browser.get("/@alice")

    assert response.status_code == 500
    page = response.content.decode()
    assert "Something went wrong" in page
    assert 'class="site-header"' in page
    assert "Retry-After" not in response


def test_the_outage_page_speaks_french(browser, creator, database_down):
    response = browser.get("/@alice", HTTP_ACCEPT_LANGUAGE="fr")

    assert "Réessayez dans une minute." in response.content.decode()
