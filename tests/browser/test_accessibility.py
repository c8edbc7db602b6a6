"""axe-core finds no serious or critical accessibility problem on the pages people use.

axe.min.js comes with the axe-playwright-python package (dev extras): nothing is
downloaded when the tests run.
"""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.utils import timezone
from playwright.sync_api import expect

from creators.models import LightningWallet
from overlays.services import overlay_settings_ensure, overlay_settings_update
from payments.models import Tip, TipStatus
from payments.services import tip_create
from tests.factories import CreatorFactory
from widgets.services import widget_create

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

axe_playwright = pytest.importorskip("axe_playwright_python.sync_playwright")

SERIOUS = {"serious", "critical"}


@pytest.fixture
def alice():
    cache.clear()
    creator = CreatorFactory(
        handle="alice",
        display_name="Alice Films",
        bio="Short films about money, freedom and the people who build them.",
        channel_url="https://video.example/@alice",
        verified=True,
        min_tip_sats=1000,
    )
    widget = widget_create(
        creator=creator,
        label="Under my videos",
        min_tip_sats=2000,
        suggested_amounts=[2000, 5000],
        video_id="https://video.example/watch?v=42",
    )
    tip_create(creator=creator, widget=widget, amount_sats=5000, name="Bob", message="Great!")
    confirmed = tip_create(creator=creator, amount_sats=21000, video_id="vid-7")
    Tip.objects.filter(pk=confirmed.pk).update(status=TipStatus.CONFIRMED, received_sats=21000)
    # The tip page and the widget show the goal (the creator chose to).
    overlay = overlay_settings_ensure(creator=creator)
    overlay_settings_update(overlay=overlay, goal_title="New microphone", goal_public=True)
    # The Lightning page shows the connection (and the form to replace it).
    LightningWallet.objects.create(
        creator=creator,
        kind="lightning_address",
        label="alice@wallet.example",
        public={"address": "alice@wallet.example", "payee": "02" + "ab" * 32},
        tested_at=timezone.now(),
    )
    return creator


def serious_violations(page) -> list[str]:
    results = axe_playwright.Axe().run(page)
    return [
        f"{violation['id']} ({violation['impact']}): {violation['help']} -> "
        + "; ".join(node["target"][0] for node in violation["nodes"][:5])
        for violation in results.response["violations"]
        if violation["impact"] in SERIOUS
    ]


def viewer_pages(creator) -> list[str]:
    widget = creator.widgets.get()
    tip = Tip.objects.filter(creator=creator, status=TipStatus.AWAITING_PAYMENT).earliest("pk")
    return ["/@alice", f"/w/{widget.public_id}/", f"/t/{tip.public_id}/", "/accounts/signup/"]


def dashboard_pages(creator) -> list[str]:
    widget = creator.widgets.get()
    tip = Tip.objects.filter(creator=creator).earliest("pk")
    return [
        "/dashboard/",
        "/dashboard/tips/",
        f"/dashboard/tips/{tip.public_id}/",
        "/dashboard/settings/",
        "/dashboard/messages/",
        "/dashboard/profile/",
        "/dashboard/key/",
        "/dashboard/api-keys/",
        "/dashboard/webhooks/",
        "/dashboard/webhooks/new/",
        "/dashboard/lightning/",
        "/dashboard/widgets/",
        "/dashboard/widgets/new/",
        f"/dashboard/widgets/{widget.public_id}/",
        "/dashboard/unlocks/",
        "/dashboard/unlocks/new/",
        "/dashboard/overlays/",
    ]


@pytest.mark.parametrize("width", [1280, 375])
def test_viewer_pages_have_no_serious_accessibility_problem(live_server, open_page, alice, width):
    page = open_page(width=width, height=900)
    found = {}
    for path in viewer_pages(alice):
        page.goto(live_server.url + path)
        expect(page.locator("main, body").first).to_be_visible()
        if path.startswith(("/@", "/w/")):
            expect(page.locator("[data-public-goal]")).to_contain_text("New microphone")
        if violations := serious_violations(page):
            found[path] = violations

    assert found == {}


@pytest.mark.parametrize("width", [1280, 375])
def test_dashboard_pages_have_no_serious_accessibility_problem(
    live_server, open_page, sign_in, alice, width
):
    page = open_page(width=width, height=900)
    sign_in(page, alice.user)
    found = {}
    for path in dashboard_pages(alice):
        response = page.goto(live_server.url + path)
        assert response.status == 200, path
        if violations := serious_violations(page):
            found[path] = violations

    assert found == {}
