"""The creator's dashboard hears a tip paid and confirmed without a reload: in Debian
Chromium, against uvicorn (test_live's fixture), so the page's EventSource streams
through the async view; under the WSGI live server the page polls instead."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from playwright.sync_api import expect

from payments.services import tip_create
from payments.tasks import watch_chain, watch_mempool
from tests.browser.test_live import asgi_server, chain  # noqa: F401 - fixtures
from tests.factories import CreatorFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def creator():
    return CreatorFactory(handle="alice", display_name="Alice Films", verified=True)


def open_dashboard(open_page, base_url: str, creator, path: str):
    page = open_page()
    client = Client()
    client.force_login(creator.user)
    cookie = {"name": "sessionid", "value": client.cookies["sessionid"].value, "url": base_url}
    page.context.add_cookies([cookie])
    polled: list[str] = []
    page.on("request", lambda r: polled.append(r.url) if "/events/poll" in r.url else None)
    page.goto(f"{base_url}{path}")
    page.evaluate("window.notReloaded = true")
    return page, polled


def test_a_paid_tip_appears_on_the_overview_and_confirms_without_reload(
    asgi_server,  # noqa: F811
    chain,  # noqa: F811
    open_page,
    creator,
):
    earlier = tip_create(creator=creator, amount_sats=1000, name="Earlier")
    page, polled = open_dashboard(open_page, asgi_server, creator, "/dashboard/")
    expect(page.locator("[data-live-dashboard]")).to_have_text("Live")
    expect(page.locator("[data-live-empty]")).to_be_hidden()
    table = page.locator("table[data-live-rows]")

    tip = tip_create(creator=creator, amount_sats=5000, name="Dora <i>", message="Great video")
    chain.send([(tip.address.address, 5000)])
    watch_mempool()
    row = table.locator(f'tr[data-tip="{tip.public_id}"]')
    expect(row).to_contain_text("Dora <i>")  # as text: escaped, not markup
    expect(row).to_contain_text("Payment seen, confirming")
    expect(table.locator("tbody tr").first).to_have_attribute("data-tip", tip.public_id)
    confirming = page.locator(".stat", has_text="Confirming")
    expect(confirming).to_contain_text("5,000 sats seen on the chain")

    chain.mine(1)
    watch_chain()
    expect(row).to_contain_text("Confirmed")
    expect(page.locator(".stat", has_text="Confirmed, all time")).to_contain_text("5,000 sats")
    expect(confirming).to_contain_text("0 tips")
    # The earlier tip's row stays, below; nothing reloaded and nothing polled.
    expect(table.locator(f'tr[data-tip="{earlier.public_id}"]')).to_have_count(1)
    assert page.evaluate("window.notReloaded") is True
    assert polled == []


def test_the_tip_list_polls_where_the_server_cannot_push(live_server, chain, open_page, creator):  # noqa: F811
    # The WSGI live server answers the stream with 204: the page polls the same reads.
    page, polled = open_dashboard(open_page, live_server.url, creator, "/dashboard/tips/")
    expect(page.locator("[data-live-dashboard]")).to_have_text(re.compile("every few seconds"))
    tip = tip_create(creator=creator, amount_sats=5000, name="Eve")
    chain.send([(tip.address.address, 5000)])
    watch_mempool()
    row = page.locator(f'table[data-live-rows] tr[data-tip="{tip.public_id}"]')
    # The page polls every 5 s: longer than expect's own 5 s default.
    expect(row).to_contain_text("Payment seen, confirming", timeout=15_000)
    assert page.evaluate("window.notReloaded") is True
    assert polled
