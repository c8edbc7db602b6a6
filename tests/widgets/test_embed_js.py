"""/embed.js: the loader other sites include, as served.

What the loader does in a page (frames from the origin that served it, takes heights
only from its own frame on our origin) is tested in a browser: tests/browser/test_tipping.py.
"""

from __future__ import annotations

import pytest

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


def test_it_names_the_frame_in_the_viewers_language(client):
    script = client.get("/embed.js", HTTP_ACCEPT_LANGUAGE="fr").content.decode()

    assert "Widget de pourboire en bitcoin" in script
