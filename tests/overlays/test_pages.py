"""The overlay pages: behind the secret token only, framable, cookie-free, our files only."""

from __future__ import annotations

import pytest
from django.test import Client

from overlays.services import overlay_token_regenerate

pytestmark = pytest.mark.django_db

PAGES = ("alerts", "goal", "supporters")


@pytest.mark.parametrize("page", PAGES)
def test_an_overlay_page_is_framable_cookie_free_and_loads_only_our_files(token, page):
    response = Client().get(f"/overlay/{token}/{page}")
    assert response.status_code == 200
    policy = response["Content-Security-Policy"]
    assert "frame-ancestors *" in policy
    assert "script-src 'self'" in policy
    assert "connect-src 'self'" in policy
    assert "X-Frame-Options" not in response
    assert not response.cookies
    assert response["Referrer-Policy"] == "no-referrer"
    assert b"http://" not in response.content and b"https://" not in response.content


@pytest.mark.parametrize("page", [*PAGES, "events"])
def test_an_unknown_token_is_a_404(db, page):
    assert Client().get(f"/overlay/not-a-token/{page}").status_code == 404


@pytest.mark.parametrize("page", [*PAGES, "events"])
def test_a_regenerated_token_locks_the_old_url_out_at_once(overlay, token, page):
    assert Client().get(f"/overlay/{token}/{page}").status_code in (200, 204)
    overlay_token_regenerate(overlay=overlay)
    assert Client().get(f"/overlay/{token}/{page}").status_code == 404


def test_the_events_view_resumes_from_last_event_id(creator, overlay, token):
    # Under WSGI (the test client) the view only says "no stream here" (204): the
    # browser tests drive it under uvicorn. Its parameters still reach the stream.
    response = Client().get(f"/overlay/{token}/events?want=alerts", HTTP_LAST_EVENT_ID="5")
    assert response.status_code == 204
    assert Client().get(f"/overlay/{token}/events?want=nothing").status_code == 404


def test_an_overlay_token_shows_only_its_own_creators_alerts_and_goal(db):
    from overlays.selectors import overlay_token, supporters_state
    from overlays.services import overlay_settings_ensure, overlay_test_alert
    from tests.factories import CreatorFactory

    alice = overlay_settings_ensure(creator=CreatorFactory(handle="alice"))
    bobby = overlay_settings_ensure(creator=CreatorFactory(handle="bobby"))
    overlay_test_alert(creator=alice.creator, amount_sats=1, name="A", message="alice only")
    page = Client().get(f"/overlay/{overlay_token(bobby)}/alerts").content.decode()
    assert overlay_token(alice) not in page
    assert "alice only" not in page
    assert supporters_state(bobby, now=alice.created_at)["rows"] == []
