import pytest
from django.core.cache import cache

from chain import ChainSourceError
from chain.simulated import SimulatedChain

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def fresh_checks():
    # The chain check is cached for a few seconds; each test starts without it.
    cache.clear()


def test_it_reports_healthy_when_everything_answers(client):
    response = client.get("/healthz")

    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert body["database"]["ok"] and body["broker"]["ok"] and body["chain_source"]["ok"]
    assert body["chain_source"]["tip_height"] >= 0


def test_it_returns_503_when_the_chain_source_is_down(client, monkeypatch):
    def unreachable(self):
        raise ChainSourceError("esplora at 127.0.0.1:9 did not answer")

    monkeypatch.setattr(SimulatedChain, "tip", unreachable)

    response = client.get("/healthz")

    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "unhealthy"
    # Public: no detail (it would name internal hosts); staff and logs get it.
    assert body["chain_source"] == {"ok": False, "error": "unavailable"}


def test_it_returns_503_when_the_broker_is_down(client, monkeypatch):
    from bitcache.celery_app import app

    # Nothing listens on port 1. (broker_url itself may come from CELERY_BROKER_URL,
    # which Celery lets win over configuration.)
    monkeypatch.setitem(app.conf, "broker_write_url", "redis://127.0.0.1:1/0")

    response = client.get("/healthz")

    assert response.status_code == 503
    assert response.json()["broker"]["ok"] is False


def test_it_returns_503_when_the_chain_source_is_misconfigured(client, settings):
    settings.BITCACHE_CHAIN_SOURCE = "esplora"
    settings.BITCACHE_ESPLORA_URL = ""

    response = client.get("/healthz")

    assert response.status_code == 503
    assert response.json()["chain_source"]["ok"] is False


def test_it_asks_the_chain_source_at_most_once_in_a_while(client, monkeypatch):
    calls = []
    original = SimulatedChain.tip

    def counted(self):
        calls.append(1)
        return original(self)

    monkeypatch.setattr(SimulatedChain, "tip", counted)

    for _ in range(5):
        assert client.get("/healthz").status_code == 200

    assert len(calls) == 1
