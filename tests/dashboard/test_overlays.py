"""Dashboard -> Stream overlays: the private URLs, a new token, settings, a test alert."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.test import Client

from overlays.models import OverlayEvent, OverlaySettings
from payments.models import Tip
from tests.factories import CreatorFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def creator(db):
    return CreatorFactory(handle="alice")


@pytest.fixture
def browser(creator) -> Client:
    client = Client()
    client.force_login(creator.user)
    return client


def overlay_urls(browser: Client) -> list[str]:
    page = browser.get("/dashboard/overlays/")
    assert page.status_code == 200
    return [page.context["urls"][name] for name in ("alerts", "goal", "supporters")]


def test_the_page_shows_three_working_overlay_urls(browser):
    urls = overlay_urls(browser)
    assert [url.rsplit("/", 1)[1] for url in urls] == ["alerts", "goal", "supporters"]
    page = browser.get("/dashboard/overlays/").content.decode()
    for url in urls:
        assert url in page
        assert Client().get(url).status_code == 200


def test_making_new_urls_locks_the_old_ones_out(browser):
    old = overlay_urls(browser)
    browser.post("/dashboard/overlays/regenerate")
    new = overlay_urls(browser)
    assert set(old).isdisjoint(new)
    for url in old:
        assert Client().get(url).status_code == 404
    for url in new:
        assert Client().get(url).status_code == 200


def test_the_token_is_stored_hashed_and_sealed_never_in_clear(browser, creator):
    token = overlay_urls(browser)[0].split("/")[-2]
    overlay = OverlaySettings.objects.get(creator=creator)
    assert token not in overlay.token_hash and token not in overlay.token_sealed


def test_send_test_alert_puts_an_event_on_the_stream_and_makes_no_tip(browser, creator):
    response = browser.post("/dashboard/overlays/test-alert")
    assert response.status_code == 302
    (event,) = OverlayEvent.objects.filter(creator=creator)
    assert event.kind == "test" and event.data["test"] is True
    assert not Tip.objects.exists()


def test_alert_settings_keep_the_tiers_switched_on_in_order(browser, creator):
    overlay_urls(browser)
    data = {"form": "alerts", "alerts-alert_min_sats": "500", "alerts-alert_speech": "on"}
    for n, (on, min_sats, style, sound) in enumerate(
        [
            (True, "50000", "gold", "fanfare"),
            (False, "0", "plain", "none"),
            (True, "0", "plain", "chime"),
        ],
        start=1,
    ):
        if on:
            data[f"alerts-tier{n}_on"] = "on"
        data.update(
            {
                f"alerts-tier{n}_min_sats": min_sats,
                f"alerts-tier{n}_style": style,
                f"alerts-tier{n}_sound": sound,
                f"alerts-tier{n}_seconds": "8",
            }
        )
    assert browser.post("/dashboard/overlays/", data).status_code == 302
    overlay = OverlaySettings.objects.get(creator=creator)
    assert overlay.alert_min_sats == 500
    assert overlay.alert_speech is True
    assert overlay.alert_tiers == [
        {"min_sats": 0, "style": "plain", "sound": "chime", "seconds": 8},
        {"min_sats": 50000, "style": "gold", "sound": "fanfare", "seconds": 8},
    ]


def test_a_custom_goal_period_needs_a_start(browser, creator):
    overlay_urls(browser)
    data = {
        "form": "goal",
        "goal-goal_title": "Camera",
        "goal-goal_target_sats": "100000",
        "goal-goal_period": "custom",
    }
    response = browser.post("/dashboard/overlays/", data)
    assert response.status_code == 200
    assert "Custom dates need a start." in response.content.decode()
    data["goal-goal_starts_at"] = "2026-11-01T00:00"
    assert browser.post("/dashboard/overlays/", data).status_code == 302
    assert OverlaySettings.objects.get(creator=creator).goal_title == "Camera"


def test_resetting_the_goal_starts_it_from_now(browser, creator):
    overlay_urls(browser)
    browser.post("/dashboard/overlays/goal-reset")
    assert OverlaySettings.objects.get(creator=creator).goal_reset_at is not None


def test_the_streamlabs_token_is_kept_sealed_and_never_shown_again(browser, creator):
    overlay_urls(browser)
    data = {
        "form": "streamlabs",
        "streamlabs-streamlabs_enabled": "on",
        "streamlabs-streamlabs_currency": "EUR",
    }
    refused = browser.post("/dashboard/overlays/", data)
    assert "Paste your Streamlabs token" in refused.content.decode()
    data["streamlabs-streamlabs_token"] = "sl-secret-token"
    assert browser.post("/dashboard/overlays/", data).status_code == 302
    overlay = OverlaySettings.objects.get(creator=creator)
    assert overlay.streamlabs_enabled and overlay.streamlabs_currency == "EUR"
    assert "sl-secret-token" not in overlay.streamlabs_token_sealed
    assert "sl-secret-token" not in browser.get("/dashboard/overlays/").content.decode()
    # Saved again without a token: the sealed one stays.
    del data["streamlabs-streamlabs_token"]
    assert browser.post("/dashboard/overlays/", data).status_code == 302
    assert OverlaySettings.objects.get(creator=creator).streamlabs_token_sealed


def goal_form(**fields: str) -> dict[str, str]:
    data = {"form": "goal", "goal-goal_title": "Camera", "goal-goal_period": "month"}
    return {**data, **{f"goal-{name}": value for name, value in fields.items()}}


def test_the_goal_target_may_be_in_the_creators_currency(browser, creator):
    creator.display_currency = "EUR"
    creator.save()
    overlay_urls(browser)
    assert "Target (EUR)" in browser.get("/dashboard/overlays/").content.decode()

    response = browser.post(
        "/dashboard/overlays/",
        goal_form(
            goal_unit="fiat", goal_target_fiat="50.00", goal_target_sats="", goal_public="on"
        ),
    )

    assert response.status_code == 302
    overlay = OverlaySettings.objects.get(creator=creator)
    assert (overlay.goal_target_fiat, overlay.goal_currency) == (Decimal("50.00"), "EUR")
    assert overlay.goal_target_sats == 100_000  # kept for a switch back to sats
    assert overlay.goal_public is True
    form = browser.get("/dashboard/overlays/").context["forms"]["goal"]
    assert (form["goal_unit"].value(), form["goal_target_fiat"].value()) == ("fiat", Decimal("50"))

    # Back to sats: the fiat target is dropped.
    browser.post("/dashboard/overlays/", goal_form(goal_unit="sats", goal_target_sats="30000"))
    overlay.refresh_from_db()
    assert (overlay.goal_target_fiat, overlay.goal_currency) == (None, "")
    assert (overlay.goal_target_sats, overlay.goal_public) == (30_000, False)


@pytest.mark.parametrize("amount", ["", "0", "-5", "50.001", "fifty"])
def test_a_fiat_target_must_be_a_positive_amount_in_the_currencys_digits(browser, creator, amount):
    creator.display_currency = "EUR"
    creator.save()
    overlay_urls(browser)

    response = browser.post(
        "/dashboard/overlays/", goal_form(goal_unit="fiat", goal_target_fiat=amount)
    )

    assert response.status_code == 200
    assert OverlaySettings.objects.get(creator=creator).goal_currency == ""
