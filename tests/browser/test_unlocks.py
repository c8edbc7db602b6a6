"""A buyer pays for a paid unlock in a real browser, sees the link appear, and follows it."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from chain.simulated import SimulatedChain
from payments.models import Tip
from payments.tasks import watch_chain, watch_mempool
from tests.factories import CreatorFactory, address_of
from unlocks.services import item_create

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def chain():
    chain = SimulatedChain.from_settings()
    chain.ensure_genesis()
    watch_chain()  # the first run sets the starting height
    return chain


@pytest.fixture
def item(other_site):
    # The sold link is a page of a local web server: nothing on the internet is touched.
    other_site.serve("<h1>The director's cut, in 4K</h1>")
    creator = CreatorFactory(handle="alice", display_name="Alice Films", verified=True)
    return item_create(
        creator=creator,
        title="Director's cut",
        description="The full film in 4K, with the director's commentary.",
        price_sats=5000,
        target_url=other_site.url + "films/directors-cut?dl=1",
    )


def pay(chain, purchase: Tip, sats: int, *, confirm: bool) -> None:
    chain.send([(address_of(purchase), sats)])
    if confirm:
        chain.mine(1)
    watch_chain()
    watch_mempool()


def test_a_buyer_pays_sees_the_link_appear_and_follows_it(
    live_server, open_page, item, chain, screenshot
):
    page = open_page(width=520, height=1100)
    page.goto(f"{live_server.url}/@alice/u/{item.public_id}")
    expect(page.get_by_role("heading", name="Director's cut")).to_be_visible()
    screenshot(page.locator(".tip-card"), "unlock-item.png")

    page.get_by_role("button", name="Buy for 5,000 sats").click()
    card = page.locator(".tip-card")
    expect(card.locator("svg.qr")).to_be_visible()
    purchase = Tip.objects.get()
    expect(page.locator("#tip-address")).to_have_text(purchase.address.address)
    # Set on this very document: still there at the end means the page never reloaded.
    page.evaluate("window.stillTheSamePage = true")

    pay(chain, purchase, 5000, confirm=False)
    expect(card.get_by_role("status")).to_have_text(re.compile("Payment seen"))
    expect(card.get_by_text("You sent the full price.")).to_be_visible()
    expect(card.get_by_role("link", name="Open the link")).to_be_hidden()

    chain.mine(1)
    watch_chain()
    watch_mempool()
    expect(card.get_by_role("heading", name="Unlocked!")).to_be_visible()
    grant = Tip.objects.get().unlock_grant
    expect(page.locator("#receipt-code")).to_have_text(re.compile(grant.receipt_code[:4]))
    expect(page.locator("#access-url")).to_have_text(re.compile(f"^{live_server.url}/unlock/"))
    assert page.evaluate("window.stillTheSamePage") is True
    screenshot(card, "unlock-paid.png")

    with page.context.expect_page() as opened:
        card.get_by_role("link", name="Open the link").click()
    target = opened.value
    target.wait_for_load_state()
    assert target.url == item.target_url
    expect(target.get_by_role("heading")).to_have_text("The director's cut, in 4K")


def test_a_buyer_tops_up_an_underpayment_in_a_widget_on_another_site(
    live_server, other_site, open_page, item, chain, screenshot
):
    item.allow_zero_conf = True
    item.save()
    page = open_page(width=900, height=1200)
    page.goto(
        other_site.serve(
            "<h1>My films</h1>"
            f'<script src="{live_server.url}/embed.js" data-unlock="{item.public_id}" async>'
            "</script>"
        )
    )
    frame_element = page.locator(f'iframe[src="{live_server.url}/w/u/{item.public_id}/"]')
    expect(frame_element).to_be_visible()
    frame = page.frame_locator("iframe")
    frame.get_by_role("button", name="Buy for 5,000 sats").click()
    expect(frame.locator("svg.qr")).to_be_visible()
    purchase = Tip.objects.get()

    pay(chain, purchase, 3000, confirm=False)
    expect(frame.get_by_text("sats are still missing")).to_be_visible()
    # The payment request now asks for what is missing: a new QR code, drawn by the server.
    expect(frame.locator("#tip-amount")).to_have_text("0.00002")
    screenshot(frame_element, "unlock-widget-underpaid.png")

    pay(chain, purchase, 2000, confirm=False)
    expect(frame.get_by_role("heading", name="Unlocked!")).to_be_visible()
    expect(frame.locator("#access-url")).to_have_text(re.compile(f"^{live_server.url}/unlock/"))
    expect(frame.get_by_text("sats are still missing")).to_be_hidden()
    screenshot(frame_element, "unlock-widget-paid.png")
