"""What a creator and a viewer see on a phone (375 px wide): nothing runs off the screen."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from payments.models import Tip, TipStatus
from payments.rollups import rollups_rebuild
from payments.services import tip_create
from tests.factories import CreatorFactory
from widgets.services import widget_create

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 375, "height": 667}
LONG_VIDEO_URL = "https://www.youtube.com/watch?v=" + "dQw4w9WgXcQ" * 6 + "&list=PL" + "x" * 40
LONG_CHANNEL_URL = "https://www.youtube.com/channel/" + "UCaVeryLongChannelIdentifier" * 4


@pytest.fixture
def busy_creator():
    creator = CreatorFactory(
        handle="alice",
        display_name="Alice Films",
        channel_url=LONG_CHANNEL_URL,
        bio="Supercalifragilisticexpialidocious" * 5 + " films about money and freedom.",
        min_tip_sats=1000,
    )
    widget = widget_create(creator=creator, label="Under my videos", min_tip_sats=1000)
    for amount in (5000, 21000):
        tip_create(creator=creator, widget=widget, amount_sats=amount, video_id=LONG_VIDEO_URL)
    Tip.objects.update(status=TipStatus.CONFIRMED, received_sats=5000)
    # Set by hand, not credited: the overview's rollups are recounted as deploy.md says.
    rollups_rebuild(creator_id=creator.pk)
    return creator


def page_width(page) -> int:
    return page.evaluate("document.scrollingElement.scrollWidth")


def test_the_dashboard_fits_a_phone_with_long_urls(live_server, open_page, sign_in, busy_creator):
    page = open_page(**PHONE)
    sign_in(page, busy_creator.user)
    page.goto(f"{live_server.url}/dashboard/")
    expect(page.get_by_role("heading", name="By video")).to_be_visible()

    assert page_width(page) <= PHONE["width"]
    # The tips table scrolls inside its card, and the page says there is more to the side.
    table_card = page.locator(".table-card")
    assert table_card.evaluate("card => card.scrollWidth > card.clientWidth")
    expect(page.get_by_text("Swipe the table sideways to see the status")).to_be_visible()
    # The video's full URL is there to read, not cut at 60 characters.
    expect(page.locator(".breakdown").get_by_title(LONG_VIDEO_URL)).to_be_visible()


def test_a_wide_screen_shows_the_whole_tips_table_without_the_hint(
    live_server, open_page, sign_in, busy_creator
):
    page = open_page(width=1280, height=900)
    sign_in(page, busy_creator.user)
    page.goto(f"{live_server.url}/dashboard/")
    expect(page.get_by_role("heading", name="Recent tips")).to_be_visible()

    expect(page.get_by_text("Swipe the table sideways to see the status")).to_be_hidden()
    assert page.locator(".table-card").evaluate("card => card.scrollWidth <= card.clientWidth")


def test_open_in_wallet_is_on_a_phones_first_screen(live_server, open_page):
    creator = CreatorFactory(handle="bob", display_name="Bob Streams")
    tip = tip_create(creator=creator, amount_sats=5000, name="Carol", message="Great video!")
    page = open_page(**PHONE)
    page.goto(f"{live_server.url}/t/{tip.public_id}/")

    wallet = page.get_by_role("link", name="Open in wallet")
    expect(wallet).to_be_visible()
    assert wallet.bounding_box()["y"] + wallet.bounding_box()["height"] <= PHONE["height"]
    expect(page.locator("svg.qr")).to_be_visible()
