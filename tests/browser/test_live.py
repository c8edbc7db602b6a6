"""The payment screen hears a payment, its confirmation and its loss, pushed by the server:
in Debian Chromium, against uvicorn (the production ASGI server) started on 127.0.0.1
by the fixture, so the page's EventSource streams through the async view."""

from __future__ import annotations

import re
import socket
import threading
from collections.abc import Iterator

import pytest
from django.contrib.staticfiles.handlers import ASGIStaticFilesHandler
from django.core.asgi import get_asgi_application
from playwright.sync_api import expect

from chain.simulated import SimulatedChain
from payments.services import tip_create
from payments.tasks import watch_chain, watch_mempool
from tests.factories import CreatorFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def asgi_server() -> Iterator[str]:
    """uvicorn serving the site (with its static files) on a free loopback port."""
    uvicorn = pytest.importorskip("uvicorn")
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen()  # listening now: the browser's first requests wait in the backlog
    app = ASGIStaticFilesHandler(get_asgi_application())
    config = uvicorn.Config(app, lifespan="off", log_level="warning")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{sock.getsockname()[1]}"
    server.should_exit = True
    thread.join(10)
    sock.close()


@pytest.fixture
def chain():
    chain = SimulatedChain.from_settings()
    chain.ensure_genesis()
    watch_chain()  # the first run sets the starting height
    return chain


@pytest.fixture
def tip():
    creator = CreatorFactory(handle="alice", display_name="Alice Films", verified=True)
    return tip_create(creator=creator, amount_sats=5000)


def watch_the_page(open_page, url: str, locale: str = "en-US"):
    page = open_page(locale=locale)
    polled: list[str] = []
    page.on("request", lambda r: polled.append(r.url) if "status.json" in r.url else None)
    page.goto(url)
    page.evaluate("window.notReloaded = true")
    return page, polled


def test_the_payment_screen_shows_payment_confirmation_and_a_reorg_without_reload(
    asgi_server, open_page, tip, chain
):
    page, polled = watch_the_page(open_page, f"{asgi_server}/t/{tip.public_id}/")
    card = page.locator("[data-tip-status]")
    status = card.get_by_role("status")
    expect(status).to_have_text("Waiting for your payment…")

    txid = chain.send([(tip.address.address, 5000)])
    watch_mempool()
    expect(status).to_have_text(re.compile("Payment seen"))

    chain.mine(1)
    watch_chain()
    expect(status).to_have_text("Payment confirmed.")
    expect(page.locator("[data-state-text=confirmations]")).to_have_text("1")

    # One confirmation is not final: the page is still listening when the block goes.
    chain.reorg(1, drop_txids=[txid])
    watch_chain()
    expect(card.get_by_role("alert")).to_have_text(
        "The network took this payment back; it is no longer confirmed."
    )
    expect(status).to_have_text("Waiting for your payment…")
    assert page.evaluate("window.notReloaded") is True
    assert polled == []  # pushed, never polled


def test_the_taken_back_message_is_in_french(asgi_server, open_page, tip, chain):
    txid = chain.send([(tip.address.address, 5000)])
    chain.mine(1)
    watch_chain()
    page, _ = watch_the_page(open_page, f"{asgi_server}/t/{tip.public_id}/", locale="fr-FR")
    card = page.locator("[data-tip-status]")
    expect(card.get_by_role("status")).to_have_text(re.compile("Paiement confirmé"))

    chain.reorg(1, drop_txids=[txid])
    watch_chain()
    expect(card.get_by_role("alert")).to_have_text(
        "Le réseau a repris ce paiement ; il n\u2019est plus confirmé."
    )
