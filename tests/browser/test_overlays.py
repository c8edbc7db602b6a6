"""Stream overlays as OBS shows them: Debian Chromium opens the overlay pages, served by
uvicorn on loopback (the fixture of test_live), and sees tips arrive without a reload.

With BITCACHE_SCREENSHOTS=1 (`make screenshots`) each overlay is saved over a dark and a
light background into docs/screenshots/.
"""

from __future__ import annotations

import os
import re
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from moderation.models import FlaggedTerm
from overlays.selectors import overlay_token
from overlays.services import (
    overlay_settings_ensure,
    overlay_settings_update,
    overlay_test_alert,
    overlay_token_regenerate,
)
from payments.services import tip_create
from payments.tasks import watch_chain, watch_mempool
from tests.browser.conftest import SCREENSHOTS
from tests.browser.test_live import asgi_server, chain  # noqa: F401 - fixtures
from tests.factories import CreatorFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

BACKGROUNDS = {"dark": "#101418", "light": "#f4f1ea"}


@pytest.fixture
def overlay():
    creator = CreatorFactory(handle="alice", display_name="Alice Films", verified=True)
    overlay = overlay_settings_ensure(creator=creator)
    overlay.alert_tiers = [
        {"min_sats": 0, "style": "plain", "sound": "none", "seconds": 2},
        {"min_sats": 20_000, "style": "gold", "sound": "none", "seconds": 2},
    ]
    overlay.goal_title = "New microphone"
    overlay.goal_target_sats = 20_000
    overlay.save()
    return overlay


def open_overlay(open_page, server: str, overlay, which: str):
    page = open_page(width=1920, height=1080)
    requests: list[str] = []
    page.on("request", lambda request: requests.append(request.url))
    page.goto(f"{server}/overlay/{overlay_token(overlay)}/{which}")
    page.evaluate("window.notReloaded = true")
    return page, requests


def shoot(page, name: str) -> None:
    """The overlay over a dark and a light background (the page itself is transparent)."""
    if os.environ.get("BITCACHE_SCREENSHOTS") != "1":
        return
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    for label, colour in BACKGROUNDS.items():
        page.evaluate(f"document.documentElement.style.background = '{colour}'")
        page.screenshot(path=str(SCREENSHOTS / f"overlay-{name}-{label}.png"), scale="css")
    page.evaluate("document.documentElement.style.background = ''")


def pay(simulated, tip, sats: int) -> None:
    simulated.send([(tip.address.address, sats)])
    watch_mempool()


def test_the_alerts_overlay_shows_each_tip_in_turn_without_a_held_message(
    asgi_server,  # noqa: F811
    chain,  # noqa: F811
    open_page,
    overlay,
):
    page, requests = open_overlay(open_page, asgi_server, overlay, "alerts")
    creator = overlay.creator
    FlaggedTerm.objects.create(term="scam")
    first = tip_create(
        creator=creator,
        amount_sats=5000,
        name="Bob",
        name_public=True,
        message="Great <b>show</b>!",
    )
    held = tip_create(creator=creator, amount_sats=25_000, name="Eve", message="a scam link")
    pay(chain, first, 5000)
    pay(chain, held, 25_000)

    alert = page.locator("[data-alert]")
    expect(alert).to_have_count(1)
    expect(alert).to_contain_text("Bob")
    expect(alert).to_contain_text("5,000")
    expect(alert).to_contain_text("Great <b>show</b>!")  # escaped: shown as typed
    expect(alert).to_contain_text("unconfirmed")
    expect(page.locator("b")).to_have_count(0)
    # The second waits its turn: never two at once, never dropped.
    expect(alert).to_contain_text("Anonymous", timeout=10_000)
    expect(alert).to_have_count(1)
    expect(alert).to_have_class(re.compile("alert-gold"))
    expect(alert.locator(".alert-message")).to_have_text("")
    assert page.evaluate("document.body.dataset.alertsShown") == "2"
    assert "scam" not in page.content() and "Eve" not in page.content()
    assert page.evaluate("window.notReloaded") is True
    assert all(url.startswith(asgi_server) for url in requests)


def test_a_test_alert_shows_and_screenshots_are_taken(
    asgi_server,  # noqa: F811
    open_page,
    overlay,
    static_rates,
):
    for tier in overlay.alert_tiers:
        tier["seconds"] = 30  # still on screen for both pictures
    overlay.save()
    overlay.creator.display_currency = "EUR"  # a test alert is priced at the current rate
    overlay.creator.save()
    page, _requests = open_overlay(open_page, asgi_server, overlay, "alerts")
    overlay_test_alert(
        creator=overlay.creator,
        amount_sats=21_000,
        name="Satoshi",
        message="This is a test alert. No tip was made.",
    )
    alert = page.locator("[data-alert]")
    expect(alert).to_contain_text("Satoshi")
    expect(alert).to_contain_text("Test alert")
    expect(alert.locator(".alert-amount")).to_have_text(re.compile(r"^21,000\s+sats · €18\.90$"))
    expect(alert).to_have_class(re.compile("is-shown"))
    page.wait_for_timeout(400)  # the entrance transition, for the picture only
    shoot(page, "alerts")


def test_the_goal_bar_moves_when_a_tip_confirms_and_supporters_list_it(
    asgi_server,  # noqa: F811
    chain,  # noqa: F811
    open_page,
    overlay,
):
    goal, _ = open_overlay(open_page, asgi_server, overlay, "goal")
    supporters, _ = open_overlay(open_page, asgi_server, overlay, "supporters")
    figures = goal.locator("[data-goal-figures]")
    expect(figures).to_have_text(re.compile(r"^0 / 20,000\s+sats \(0%\)$"))

    creator = overlay.creator
    tips = [
        tip_create(creator=creator, amount_sats=5000, name="Bob", name_public=True),
        tip_create(creator=creator, amount_sats=8000, name="Carol"),
    ]
    for tip in tips:
        pay(chain, tip, tip.amount_sats)
    expect(figures).to_have_text(re.compile(r"^0 / "))  # seen, not confirmed yet
    chain.mine(1)
    watch_chain()

    expect(figures).to_have_text(re.compile(r"^13,000 / 20,000\s+sats \(65%\)$"))
    expect(goal.locator("[data-goal-bar]")).to_have_attribute("aria-valuenow", "65")
    rows = supporters.locator("[data-supporters-list] li")
    expect(rows).to_have_count(2)
    expect(rows.nth(0)).to_contain_text("Anonymous")
    expect(rows.nth(1)).to_contain_text("Bob")
    assert "Carol" not in supporters.content()
    assert goal.evaluate("window.notReloaded") is True
    goal.wait_for_timeout(900)  # the bar's transition, for the picture only
    shoot(goal, "goal")
    shoot(supporters, "supporters")


def test_a_regenerated_token_stops_the_open_overlay_and_locks_its_url_out(
    asgi_server,  # noqa: F811
    open_page,
    overlay,
):
    page, _requests = open_overlay(open_page, asgi_server, overlay, "alerts")
    old_url = page.url
    expect(page.locator("body")).to_have_attribute("data-live", "true")
    overlay_token_regenerate(overlay=overlay)
    expect(page.locator("body")).to_have_attribute("data-gone", "true")
    assert page.goto(old_url).status == 404


def test_the_alert_and_supporters_show_the_tips_fiat_value_too(
    asgi_server,  # noqa: F811
    chain,  # noqa: F811
    open_page,
    overlay,
    static_rates,
):
    creator = overlay.creator
    creator.display_currency = "EUR"  # 1 BTC = 90,000 EUR (the static rates)
    creator.save()
    page, _requests = open_overlay(open_page, asgi_server, overlay, "alerts")
    supporters, _ = open_overlay(open_page, asgi_server, overlay, "supporters")
    pay(chain, tip_create(creator=creator, amount_sats=2100, name="Bob", name_public=True), 2100)

    alert = page.locator("[data-alert]")
    expect(alert.locator(".alert-amount")).to_have_text(re.compile(r"^2,100\s+sats · €1\.89$"))
    chain.mine(1)
    watch_chain()
    row = supporters.locator("[data-supporters-list] li")
    expect(row.locator(".supporter-amount")).to_have_text(re.compile(r"^2,100\s+sats · €1\.89$"))


def test_the_goal_on_the_tip_page_moves_when_a_tip_confirms_without_a_reload(
    asgi_server,  # noqa: F811
    chain,  # noqa: F811
    open_page,
    overlay,
    static_rates,
    screenshot,
):
    creator = overlay.creator
    creator.display_currency = "EUR"
    creator.save()
    overlay_settings_update(
        overlay=overlay, goal_target_fiat=Decimal("18"), goal_currency="EUR", goal_public=True
    )
    page = open_page()
    csp_errors: list[str] = []
    page.on(
        "console", lambda m: csp_errors.append(m.text) if "Content Security" in m.text else None
    )
    page.goto(f"{asgi_server}/@alice")
    page.evaluate("window.notReloaded = true")
    goal = page.locator("[data-public-goal]")
    expect(goal.locator("[data-goal-title]")).to_have_text("New microphone")
    figures = goal.locator("[data-goal-figures]")
    expect(figures).to_have_text(re.compile(r"^€0\.00 / €18\.00 \(0%\) · 0\s+sats$"))
    expect(goal).to_have_attribute("data-live", "true")

    tip = tip_create(creator=creator, amount_sats=5000)
    pay(chain, tip, 5000)
    chain.mine(1)
    watch_chain()

    expect(figures).to_have_text(re.compile(r"^€4\.50 / €18\.00 \(25%\) · 5,000\s+sats$"))
    assert goal.locator("[data-goal-bar]").evaluate("bar => bar.value") == 25
    assert page.evaluate("window.notReloaded") is True
    assert csp_errors == []
    screenshot(page.locator(".tip-card"), "tip-page-goal.png")
