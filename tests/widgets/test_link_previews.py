"""A shared /@handle link previews with the creator's name, bio and picture."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.django_db


def test_the_tip_page_has_link_preview_tags(client, creator):
    page = client.get("/@alice").content.decode()

    assert '<meta property="og:title" content="Tip Alice Films in bitcoin">' in page
    assert '<meta property="og:description" content="I make films about bitcoin.">' in page
    assert '<meta property="og:url" content="http://testserver/@alice">' in page
    assert '<meta name="twitter:card" content="summary">' in page
    assert "og:image" not in page  # no avatar, no image


def test_the_preview_uses_the_avatar(client, creator):
    creator.avatar.name = "avatars/alice.png"
    creator.save()

    page = client.get("/@alice").content.decode()

    assert '<meta property="og:image" content="http://testserver/media/avatars/alice.png">' in page


def test_the_bio_is_escaped_in_the_preview(client, creator):
    creator.bio = 'Films "and" <script>alert(1)</script>'
    creator.save()

    page = client.get("/@alice").content.decode()

    assert (
        '<meta property="og:description" '
        'content="Films &quot;and&quot; &lt;script&gt;alert(1)&lt;/script&gt;">'
    ) in page
    assert "<script>alert(1)" not in page


def test_widget_pages_have_no_preview_tags(client, widget):
    page = client.get(f"/w/{widget.public_id}/").content.decode()

    assert "og:title" not in page
