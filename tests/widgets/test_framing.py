"""Only widget pages may be framed, by the origins their creator allowed; all else refuses."""

from __future__ import annotations

import pytest

from payments.models import Tip
from payments.services import tip_create

pytestmark = pytest.mark.django_db


def frame_ancestors(response) -> str:
    directives = dict(
        directive.strip().split(" ", 1)
        for directive in response["Content-Security-Policy"].split(";")
    )
    return directives["frame-ancestors"]


def assert_refuses_framing(response) -> None:
    assert response["X-Frame-Options"] == "DENY"
    assert frame_ancestors(response) == "'none'"


def assert_framable_by(response, ancestors: str) -> None:
    assert "X-Frame-Options" not in response
    assert frame_ancestors(response) == ancestors


def test_a_widget_may_be_framed_by_any_site_by_default(client, widget):
    response = client.get(f"/w/{widget.public_id}/")

    assert response.status_code == 200
    assert_framable_by(response, "*")


def test_a_widget_may_be_framed_only_by_its_allowed_origins(client, creator, make_widget):
    widget = make_widget(
        creator, allowed_origins=["https://blog.example", "https://*.tube.example"]
    )

    response = client.get(f"/w/{widget.public_id}/")

    # 'self' keeps the creator's live preview on the dashboard working.
    assert_framable_by(response, "'self' https://blog.example https://*.tube.example")


def test_a_refused_or_accepted_widget_post_stays_framable(client, widget):
    refused = client.post(f"/w/{widget.public_id}/", {"amount_sats": "1"})
    accepted = client.post(f"/w/{widget.public_id}/", {"amount_sats": "5000"})

    assert refused.status_code == 400
    assert_framable_by(refused, "*")
    assert accepted.status_code == 302
    assert_framable_by(accepted, "*")


def test_a_widget_of_a_suspended_creator_is_framable_to_say_so(client, creator, widget):
    creator.status = "suspended"
    creator.save()

    response = client.get(f"/w/{widget.public_id}/")

    assert response.status_code == 403
    assert_framable_by(response, "*")


def test_the_payment_screen_of_a_widget_tip_is_framable_like_its_widget(
    client, creator, make_widget
):
    widget = make_widget(creator, allowed_origins=["https://blog.example"])
    client.post(f"/w/{widget.public_id}/", {"amount_sats": "5000"})
    tip = Tip.objects.get()

    response = client.get(f"/t/{tip.public_id}/")

    assert response.status_code == 200
    assert_framable_by(response, "'self' https://blog.example")
    assert "site-header" not in response.content.decode()


def test_the_payment_screen_of_a_tip_page_tip_refuses_framing(client, tip):
    assert_refuses_framing(client.get(f"/t/{tip.public_id}/"))


def test_the_hosted_tip_page_refuses_framing(client, creator):
    assert_refuses_framing(client.get("/@alice"))


def test_the_creators_widget_pages_refuse_framing(creator_client, widget):
    assert_refuses_framing(creator_client.get("/dashboard/widgets/"))
    assert_refuses_framing(creator_client.get(f"/dashboard/widgets/{widget.public_id}/"))


def test_the_status_json_refuses_framing(client, tip):
    assert_refuses_framing(client.get(f"/t/{tip.public_id}/status.json"))


def test_a_new_address_from_a_widget_tip_stays_framable(client, creator, widget):
    from datetime import timedelta

    from django.utils import timezone

    old = tip_create(
        creator=creator,
        widget=widget,
        amount_sats=5000,
        now=timezone.now() - timedelta(hours=2),
    )

    response = client.post(f"/t/{old.public_id}/renew")

    assert response.status_code == 302
    assert_framable_by(response, "*")


def test_even_a_bad_host_error_refuses_framing(client):
    response = client.get("/", HTTP_HOST="evil.example")

    assert response.status_code == 400
    assert response["X-Frame-Options"] == "DENY"
    assert "frame-ancestors 'none'" in response["Content-Security-Policy"]
