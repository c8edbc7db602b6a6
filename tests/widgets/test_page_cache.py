"""Viewer pages come from the cache, stay correct for each visitor and change with the creator."""

from __future__ import annotations

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db


def test_a_second_viewer_gets_the_widget_without_a_query(client, widget, django_assert_num_queries):
    first = client.get(f"/w/{widget.public_id}/")

    with django_assert_num_queries(0):
        second = Client().get(f"/w/{widget.public_id}/")

    assert second.status_code == 200
    assert second.content == first.content
    assert second["Content-Security-Policy"] == first["Content-Security-Policy"]
    assert "X-Frame-Options" not in second


def test_a_creators_change_shows_at_once(client, creator, widget):
    client.get(f"/w/{widget.public_id}/")
    creator.status = "suspended"
    creator.save()

    response = client.get(f"/w/{widget.public_id}/")

    assert response.status_code == 403
    assert "not accepting tips" in response.content.decode()


def test_a_widgets_change_shows_at_once(client, widget):
    client.get(f"/w/{widget.public_id}/")
    widget.min_tip_sats = 3000
    widget.save()

    assert "Minimum 3,000 sats" in client.get(f"/w/{widget.public_id}/").content.decode()


def test_each_language_is_kept_apart(client, widget):
    client.get(f"/w/{widget.public_id}/", HTTP_ACCEPT_LANGUAGE="en")

    page = client.get(f"/w/{widget.public_id}/", HTTP_ACCEPT_LANGUAGE="fr").content.decode()

    assert "Montant en sats" in page


def test_a_visitor_of_a_cached_hosted_page_can_switch_language(creator):
    first, second = Client(enforce_csrf_checks=True), Client(enforce_csrf_checks=True)
    first.get("/@alice")

    page = second.get("/@alice").content.decode()
    switched = second.post("/i18n/setlang/", {"language": "fr", "next": "/@alice"})

    # Anonymous pages carry no per-visitor token: the language switch doesn't need one.
    assert "csrfmiddlewaretoken" not in page
    assert switched.status_code == 302
    assert second.cookies["django_language"].value == "fr"


def test_a_signed_in_creator_gets_a_fresh_page(creator_client, creator):
    Client().get("/@alice")  # an anonymous visitor fills the cache

    page = creator_client.get("/@alice").content.decode()

    assert "Log out" in page
