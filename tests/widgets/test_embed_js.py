"""/embed.js: the loader other sites include."""

from __future__ import annotations

import pytest
from django.test import override_settings

pytestmark = pytest.mark.django_db


def test_it_is_served_as_cacheable_javascript(client):
    response = client.get("/embed.js")

    assert response.status_code == 200
    assert response["Content-Type"] == "text/javascript; charset=utf-8"
    assert "public" in response["Cache-Control"]
    assert "max-age=3600" in response["Cache-Control"]
    assert response["ETag"]


def test_it_answers_not_modified_to_a_cache_that_has_it(client):
    etag = client.get("/embed.js")["ETag"]

    response = client.get("/embed.js", HTTP_IF_NONE_MATCH=etag)

    assert response.status_code == 304


@override_settings(ALLOWED_HOSTS=["tips.example"])
def test_it_frames_widgets_from_the_origin_that_served_it(client):
    script = client.get("/embed.js", HTTP_HOST="tips.example:8443", secure=True).content.decode()

    assert 'var ORIGIN = "https://tips.example:8443";' in script
    assert 'ORIGIN + (widget ? "/w/" : "/w/u/") + encodeURIComponent(id) + "/"' in script
    # Height messages are taken only from that origin and that frame's own window.
    assert "event.origin !== ORIGIN || event.source !== frame.contentWindow" in script


def test_it_names_the_frame_in_the_viewers_language(client):
    script = client.get("/embed.js", HTTP_ACCEPT_LANGUAGE="fr").content.decode()

    assert "Widget de pourboire en bitcoin" in script
