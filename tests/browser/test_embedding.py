"""How a creator's widget shows on other sites: the plain iframe snippet, and sites the
creator did not allow."""

from __future__ import annotations

import threading

import pytest
from django.db import transaction
from django.db.models.signals import post_save
from playwright.sync_api import expect

from tests.factories import CreatorFactory
from widgets.embed import iframe_snippet
from widgets.models import RefusedOrigin
from widgets.services import widget_create

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def widget():
    creator = CreatorFactory(
        handle="alice",
        display_name="Alice Films",
        bio="Short films about money, freedom and the people who build them.",
        verified=True,
    )
    return widget_create(
        creator=creator, label="Blog", min_tip_sats=2000, suggested_amounts=[2000, 5000, 21000]
    )


def content_height(frame_element) -> int:
    content = frame_element.element_handle().content_frame()
    content.wait_for_load_state()
    return content.evaluate("Math.ceil(document.body.getBoundingClientRect().height)")


@pytest.mark.parametrize("screen_width", [1000, 375])
def test_the_plain_iframe_has_no_border_and_fits_the_form_and_the_payment_screen(
    live_server, other_site, open_page, widget, screen_width
):
    page = open_page(width=screen_width, height=1200)
    page.goto(other_site.serve(iframe_snippet(live_server.url, widget)))
    frame_element = page.locator("iframe")
    frame = page.frame_locator("iframe")
    expect(frame.get_by_role("heading", name="Alice Films")).to_be_visible()

    expect(frame_element).to_have_css("border-top-width", "0px")
    height = frame_element.bounding_box()["height"]
    form_height = content_height(frame_element)
    frame.get_by_role("button", name="Tip 2,000 sats").click()
    expect(frame.locator("svg.qr")).to_be_visible()
    payment_height = content_height(frame_element)
    # Nothing scrolls inside the frame, and no large blank space is left under it.
    assert max(form_height, payment_height) <= height <= max(form_height, payment_height) + 60


def restricted_widget(live_server, allowed: list[str]):
    creator = CreatorFactory.create(handle="bob", display_name="Bob Streams")
    return widget_create(creator=creator, label="Blog", min_tip_sats=1000, allowed_origins=allowed)


def loader(live_server, widget) -> str:
    return f'<script src="{live_server.url}/embed.js" data-widget="{widget.public_id}"></script>'


def test_a_site_not_allowed_shows_a_link_to_the_tip_page_instead_of_a_refused_frame(
    live_server, other_site, open_page
):
    widget = restricted_widget(live_server, ["https://blog.example"])
    page = open_page()
    page.goto(other_site.serve("<h1>Not the creator's blog</h1>" + loader(live_server, widget)))

    link = page.get_by_role("link", name="Tip Bob Streams in bitcoin")
    expect(link).to_have_attribute("href", f"{live_server.url}/@bob")
    expect(page.locator("iframe")).to_have_count(0)
    # The creator sees where their widget was refused.
    assert list(widget.refused_origins.values_list("origin", flat=True)) == [
        other_site.url.rstrip("/")
    ]


def test_an_allowed_site_gets_the_widget_frame(live_server, other_site, open_page):
    widget = restricted_widget(live_server, [other_site.url.rstrip("/")])
    page = open_page()
    page.goto(other_site.serve(loader(live_server, widget)))

    expect(page.frame_locator("iframe").get_by_role("heading", name="Bob Streams")).to_be_visible()
    expect(page.get_by_role("link", name="Tip Bob Streams in bitcoin")).to_have_count(0)
    assert widget.refused_origins.count() == 0


@pytest.fixture
def refusal_recorded():
    """Set once the server has committed a refused origin (the browser reports in the
    background; the row is read from another connection, so only after its commit)."""
    recorded = threading.Event()

    def on_save(sender, **kwargs) -> None:
        transaction.on_commit(recorded.set)

    post_save.connect(on_save, sender=RefusedOrigin, weak=False)
    yield recorded
    post_save.disconnect(on_save, sender=RefusedOrigin)


def test_a_plain_iframe_refused_on_a_site_is_reported_to_the_creator(
    live_server, other_site, open_page, refusal_recorded
):
    widget = restricted_widget(live_server, ["https://blog.example"])
    page = open_page()
    page.goto(other_site.serve(iframe_snippet(live_server.url, widget)))

    assert refusal_recorded.wait(timeout=15)
    assert list(widget.refused_origins.values_list("origin", flat=True)) == [
        other_site.url.rstrip("/")
    ]
