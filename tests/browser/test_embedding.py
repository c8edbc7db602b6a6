"""How a creator's widget shows on other sites: the plain iframe snippet, and sites the
creator did not allow."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.factories import CreatorFactory
from widgets.embed import iframe_snippet
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
