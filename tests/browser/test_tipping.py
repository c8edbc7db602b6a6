"""A viewer tips from another site's page, and from /@handle in French, in a real browser."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from chain.simulated import SimulatedChain
from payments.models import Tip
from payments.tasks import watch_chain, watch_mempool
from tests.factories import CreatorFactory
from widgets.services import widget_create

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def creator():
    return CreatorFactory(
        handle="alice",
        display_name="Alice Films",
        bio="Short films about money, freedom and the people who build them.",
        verified=True,
        min_tip_sats=1000,
        thank_you_message="Merci! Every tip pays for the next film.",
    )


@pytest.fixture
def widget(creator):
    return widget_create(
        creator=creator,
        label="Under my videos",
        min_tip_sats=2000,
        suggested_amounts=[2000, 5000, 21000],
    )


@pytest.fixture
def chain():
    chain = SimulatedChain.from_settings()
    chain.ensure_genesis()
    watch_chain()  # the first run sets the starting height
    return chain


def embed(live_server, widget) -> str:
    return (
        f'<script src="{live_server.url}/embed.js" data-widget="{widget.public_id}" async></script>'
    )


def assert_fits_its_content(frame_element) -> None:
    content = frame_element.element_handle().content_frame()
    needed = content.evaluate("Math.ceil(document.body.getBoundingClientRect().height)")
    expect(frame_element).to_have_css("height", f"{needed}px")


def test_a_viewer_tips_from_a_widget_on_another_site(
    live_server, other_site, open_page, widget, chain, screenshot
):
    page = open_page()
    page.goto(
        other_site.serve(
            "<h1>My latest film</h1><p>Thanks for watching!</p>"
            + embed(live_server, widget)
            + "<p>Comments below.</p>"
        )
    )
    frame_element = page.locator(f'iframe[src="{live_server.url}/w/{widget.public_id}/"]')
    expect(frame_element).to_be_visible()
    # embed.js starts the iframe at 480px; the widget's height message resizes it.
    expect(frame_element).not_to_have_css("height", "480px")
    frame = page.frame_locator("iframe")
    expect(frame.get_by_role("heading", name="Alice Films")).to_be_visible()
    assert_fits_its_content(frame_element)
    screenshot(frame_element, "widget-form.png")

    amount = frame.get_by_label("Amount in sats")
    amount.fill("500")
    frame.get_by_role("button", name="Send tip").click()
    expect(frame.get_by_text("The minimum tip is 2,000 sats.")).to_be_visible()
    assert Tip.objects.count() == 0
    screenshot(frame_element, "widget-refused.png")

    frame.get_by_role("button", name="5,000").click()
    expect(amount).to_have_value("5000")
    expect(frame.get_by_text("= 0.00005 BTC")).to_be_visible()
    frame.get_by_label("Your name").fill("Bob")
    frame.get_by_label("Message").fill("Loved the <script>alert(1)</script> part")
    frame.get_by_role("button", name="Tip 5,000 sats").click()

    expect(frame.locator("svg.qr")).to_be_visible()
    tip = Tip.objects.get()
    assert tip.widget == widget
    expect(frame.locator("#tip-address")).to_have_text(tip.address.address)
    expect(frame.get_by_text("Loved the <script>alert(1)</script> part")).to_be_visible()
    expect(frame.get_by_role("status")).to_have_text("Waiting for your payment…")
    assert_fits_its_content(frame_element)
    screenshot(frame_element, "widget-awaiting.png")
    payment_screen = frame_element.element_handle().content_frame()
    payment_screen.evaluate("window.notReloaded = true")

    chain.send([(tip.address.address, 5000)])
    watch_chain()
    watch_mempool()
    expect(frame.get_by_role("status")).to_have_text(re.compile("Payment seen"))
    expect(frame.get_by_text("Every tip pays for the next film.")).to_be_visible()
    screenshot(frame_element, "widget-in-mempool.png")

    chain.mine(1)
    watch_chain()
    watch_mempool()
    expect(frame.get_by_role("status")).to_have_text("Payment confirmed.")
    expect(frame.locator("[data-state-text=confirmations]")).to_have_text("1")
    assert payment_screen.evaluate("window.notReloaded") is True
    screenshot(frame_element, "widget-confirmed.png")


def test_the_loader_frames_widgets_from_the_origin_that_served_it(
    live_server, other_site, open_page, widget
):
    # The same server under its other name: the frame comes from where embed.js came from.
    host = "127.0.0.1" if "//localhost:" in live_server.url else "localhost"
    served_from = re.sub(r"//[^:/]+", f"//{host}", live_server.url, count=1)
    page = open_page()
    page.goto(
        other_site.serve(
            f'<script src="{served_from}/embed.js" data-widget="{widget.public_id}" async></script>'
        )
    )

    expect(page.locator("iframe")).to_have_attribute("src", f"{served_from}/w/{widget.public_id}/")
    expect(page.frame_locator("iframe").get_by_role("heading", name="Alice Films")).to_be_visible()


FORGED_HEIGHT = "{type: 'bitcache:height', height: 1234}"


def test_the_loader_takes_heights_only_from_its_own_frame_on_our_origin(
    live_server, other_site, open_page, widget
):
    plain_src = f"{live_server.url}/w/{widget.public_id}/"
    page = open_page()
    page.goto(
        other_site.serve(
            embed(live_server, widget) + f"<iframe id='plain' src='{plain_src}'></iframe>"
        )
    )
    embedded = page.locator("iframe").first
    expect(embedded).not_to_have_css("height", "480px")  # its own height message was taken
    plain = page.locator("#plain").element_handle().content_frame()
    plain.wait_for_load_state()
    # Counted after the loader's own listener has seen each forged message.
    page.evaluate(
        "() => { window.forged = 0; addEventListener('message', e => {"
        " if (e.data && e.data.height === 1234) window.forged += 1; }); }"
    )

    # Our origin, but another window: a second widget frame on the page.
    plain.evaluate(f"() => parent.postMessage({FORGED_HEIGHT}, '*')")
    # Another window and another origin: the page itself.
    page.evaluate(f"() => postMessage({FORGED_HEIGHT}, '*')")
    # The frame's own window, once it shows another origin.
    with page.expect_event(
        "framenavigated", lambda frame: frame.url.endswith("?elsewhere")
    ) as navigated:
        embedded.evaluate("(frame, url) => { frame.src = url; }", other_site.url + "?elsewhere")
    elsewhere = navigated.value
    elsewhere.wait_for_load_state()
    elsewhere.evaluate(f"() => parent.postMessage({FORGED_HEIGHT}, '*')")
    page.wait_for_function("window.forged === 3")

    assert embedded.evaluate("frame => frame.style.height") != "1234px"


def test_several_widgets_and_a_plain_iframe_work_on_one_page(
    live_server, other_site, open_page, creator, widget, screenshot
):
    dark = widget_create(creator=creator, label="Blog", min_tip_sats=1000, theme="dark")
    plain_src = f"{live_server.url}/w/{widget.public_id}/"
    page = open_page(width=1300)
    page.goto(
        other_site.serve(
            "<div style='display:flex; gap:16px; align-items:flex-start'>"
            f"<div style='flex:1'>{embed(live_server, widget)}</div>"
            f"<div style='flex:1'>{embed(live_server, dark)}</div>"
            f"<div style='flex:1'><iframe src='{plain_src}' title='tip' width='100%' height='720'"
            " style='border:0'></iframe></div></div>"
        )
    )
    frames = page.locator("iframe")
    expect(frames).to_have_count(3)
    for index in range(3):
        frame = page.frame_locator("iframe").nth(index)
        expect(frame.get_by_role("heading", name="Alice Films")).to_be_visible()
    # Each embedded frame is sized to its own content; the plain iframe keeps its height.
    for index in range(2):
        expect(frames.nth(index)).not_to_have_css("height", "480px")
        assert_fits_its_content(frames.nth(index))
    expect(frames.nth(2)).to_have_css("height", "720px")
    screenshot(page.locator("body"), "widgets-on-another-site.png")


def test_a_viewer_tips_on_the_hosted_page_in_french(
    live_server, open_page, creator, chain, screenshot
):
    page = open_page(locale="fr-FR", width=480, height=1000)
    page.goto(f"{live_server.url}/@alice")
    expect(page.locator("html")).to_have_attribute("lang", "fr")
    expect(page.get_by_role("button", name="Donner 1\u202f000 sats")).to_be_visible()
    screenshot(page.locator("body"), "tip-page-fr.png")
    amount = page.get_by_label("Montant en sats")
    amount.fill("200")
    page.get_by_role("button", name="Envoyer le pourboire").click()
    expect(page.get_by_text(re.compile("Le pourboire minimum est de 1"))).to_be_visible()
    assert Tip.objects.count() == 0

    amount.fill("2100")
    page.get_by_role("button", name=re.compile("2\\s100 sats")).click()
    card = page.locator(".tip-card")
    expect(card.locator("svg.qr")).to_be_visible()
    tip = Tip.objects.get()
    assert tip.widget is None
    expect(page.locator("#tip-address")).to_have_text(tip.address.address)
    expect(card.get_by_role("status")).to_have_text("En attente de votre paiement…")
    screenshot(card, "tip-page-fr-awaiting.png")
    page.evaluate("window.notReloaded = true")

    chain.send([(tip.address.address, 2100)])
    watch_chain()
    watch_mempool()
    expect(card.get_by_role("status")).to_have_text(re.compile("Paiement vu"))
    chain.mine(1)
    watch_chain()
    watch_mempool()
    expect(card.get_by_role("status")).to_have_text(re.compile("Paiement confirmé"))
    assert page.evaluate("window.notReloaded") is True
    screenshot(card, "tip-page-fr-confirmed.png")


def test_the_widget_fits_a_320_pixel_screen_and_works_with_the_keyboard(
    live_server, open_page, widget
):
    page = open_page(width=320, height=800)
    page.goto(f"{live_server.url}/w/{widget.public_id}/")
    assert page.evaluate("document.documentElement.scrollWidth") <= 320
    amount = page.get_by_label("Amount in sats")
    for _ in range(10):
        page.keyboard.press("Tab")
        if amount.evaluate("el => el === document.activeElement"):
            break
    expect(amount).to_be_focused()
    page.keyboard.press("Control+A")
    page.keyboard.type("3000")
    page.keyboard.press("Enter")
    expect(page.locator("svg.qr")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 320


def test_a_creator_previews_a_widget_restricted_to_their_own_site(
    live_server, open_page, creator, screenshot
):
    widget = widget_create(
        creator=creator,
        label="Under my videos",
        min_tip_sats=2000,
        suggested_amounts=[2000, 5000, 21000],
        theme="accent",
        allowed_origins=["https://blog.example"],
    )
    page = open_page(width=1280, height=1000)
    sign_in(page, live_server, creator)

    page.goto(f"{live_server.url}/dashboard/widgets/{widget.public_id}/")

    preview = page.locator(".preview iframe")
    expect(preview).not_to_have_css("height", "480px")
    expect(page.frame_locator(".preview iframe").get_by_role("heading")).to_have_text("Alice Films")
    expect(page.locator("#embed-code")).to_contain_text(f'data-widget="{widget.public_id}"')
    screenshot(page.locator("main"), "dashboard-widget.png")


def sign_in(page, live_server, creator) -> None:
    from django.conf import settings
    from django.test import Client

    client = Client()
    client.force_login(creator.user)
    page.context.add_cookies(
        [
            {
                "name": settings.SESSION_COOKIE_NAME,
                "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                "url": live_server.url,
            }
        ]
    )
