"""Where a creator keeps a widget to some sites, others get a link, and the creator
sees which sites tried: from embed.js's config request and from CSP violation reports."""

from __future__ import annotations

import json

import pytest

from widgets import services
from widgets.models import RefusedOrigin

pytestmark = pytest.mark.django_db

ALLOWED = ["https://blog.example", "https://*.shop.example"]


@pytest.fixture
def restricted(make_widget, creator):
    return make_widget(creator, allowed_origins=ALLOWED)


def csp_report(directive: str = "frame-ancestors", referrer: str = "") -> bytes:
    body = {
        "document-uri": "http://testserver/",
        "referrer": referrer,
        "effective-directive": directive,
        "blocked-uri": "http://testserver/",
    }
    return json.dumps({"csp-report": body}).encode()


def report(client, widget, body: bytes, referer: str = "https://stolen.example/"):
    return client.post(
        f"/w/{widget.public_id}/refused",
        body,
        content_type="application/csp-report",
        HTTP_REFERER=referer,
    )


def refused(widget) -> dict[str, int]:
    return dict(widget.refused_origins.values_list("origin", "times"))


def test_a_restricted_widget_page_asks_browsers_to_report_refusals(client, restricted):
    for _ in range(2):  # the second answer comes from the page cache
        policy = client.get(f"/w/{restricted.public_id}/")["Content-Security-Policy"]
        assert f"report-uri /w/{restricted.public_id}/refused" in policy


def test_a_widget_any_site_may_show_asks_for_no_reports(client, widget):
    assert "report-uri" not in client.get(f"/w/{widget.public_id}/")["Content-Security-Policy"]


def test_a_report_counts_the_framing_site_by_its_origin_only(client, restricted):
    for _ in range(2):
        response = report(client, restricted, csp_report(), referer="https://stolen.example/p?q=1")
        assert response.status_code == 204

    assert refused(restricted) == {"https://stolen.example": 2}


def test_a_report_in_the_reporting_api_format_counts_too(client, restricted):
    body = [{"type": "csp-violation", "body": {"effectiveDirective": "frame-ancestors"}}]
    client.post(
        f"/w/{restricted.public_id}/refused",
        json.dumps(body),
        content_type="application/reports+json",
        HTTP_REFERER="https://other.example/",
    )

    assert refused(restricted) == {"https://other.example": 1}


@pytest.mark.parametrize(
    "referer", ["https://blog.example/", "https://www.shop.example/x", "http://testserver/"]
)
def test_allowed_sites_and_our_own_are_not_counted(client, restricted, referer):
    report(client, restricted, csp_report(), referer=referer)

    assert refused(restricted) == {}


def test_other_violations_and_bad_reports_are_not_counted(client, restricted):
    report(client, restricted, csp_report(directive="script-src"))
    assert report(client, restricted, b"{not json").status_code == 400

    assert refused(restricted) == {}


def test_reports_from_one_address_are_rate_limited(client, restricted):
    for number in range(30):
        report(client, restricted, csp_report(), referer=f"https://site{number}.example/")

    assert len(refused(restricted)) == 20


def test_a_widget_keeps_at_most_fifty_refused_sites(restricted, monkeypatch):
    for number in range(services.MAX_REFUSED_ORIGINS + 5):
        services.refused_origin_record(widget=restricted, origin=f"https://s{number}.example")

    assert RefusedOrigin.objects.filter(widget=restricted).count() == 50


def test_the_config_tells_embed_js_where_the_widget_may_be_shown(client, restricted):
    response = client.get(f"/w/{restricted.public_id}/config.json")

    assert response["Access-Control-Allow-Origin"] == "*"
    assert response.json() == {
        "allowed_origins": ["http://testserver", *ALLOWED],
        "tip_page": "http://testserver/@alice",
        "link_text": "Tip Alice Films in bitcoin",
    }


def test_the_config_of_a_widget_any_site_may_show_allows_every_site(client, widget):
    assert client.get(f"/w/{widget.public_id}/config.json").json()["allowed_origins"] == []


def test_embed_js_asking_from_a_site_not_allowed_is_counted(client, restricted):
    client.get(f"/w/{restricted.public_id}/config.json", HTTP_ORIGIN="https://stolen.example")
    client.get(f"/w/{restricted.public_id}/config.json", HTTP_ORIGIN="https://blog.example")

    assert refused(restricted) == {"https://stolen.example": 1}


def test_the_creator_sees_where_the_widget_was_refused(client, creator, restricted):
    services.refused_origin_record(widget=restricted, origin="https://stolen.example")
    client.force_login(creator.user)

    page = client.get(f"/dashboard/widgets/{restricted.public_id}/").content.decode()

    assert "Sites where it was refused" in page
    assert "<code>https://stolen.example</code>" in page
