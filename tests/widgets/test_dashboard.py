"""/dashboard/widgets/: a creator lists, creates, edits and disables their own widgets only."""

from __future__ import annotations

import pytest

from tests.factories import CreatorFactory
from widgets.models import Widget

pytestmark = pytest.mark.django_db


def widget_data(**changes):
    data = {
        "label": "Under my videos",
        "min_tip_sats": "1500",
        "suggested_amounts": "5000, 1500 21000",
        "theme": "dark",
        "video_id": "https://video.example/watch?v=42",
        "allowed_origins": "https://Blog.Example/\nhttp://localhost:8080",
    }
    return {**data, **changes}


@pytest.fixture
def someone_elses_widget(make_widget):
    return make_widget(CreatorFactory(), label="Not yours")


def test_it_lists_only_the_creators_own_widgets(creator_client, widget, someone_elses_widget):
    response = creator_client.get("/dashboard/widgets/")

    assert response.status_code == 200
    page = response.content.decode()
    assert "Under my videos" in page
    assert "Not yours" not in page


def test_it_creates_a_widget(creator_client, creator):
    response = creator_client.post("/dashboard/widgets/new/", widget_data())

    widget = Widget.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/dashboard/widgets/{widget.public_id}/"
    assert widget.creator == creator
    assert widget.min_tip_sats == 1500
    assert widget.suggested_amounts == [1500, 5000, 21000]
    assert widget.theme == "dark"
    assert widget.allowed_origins == ["https://blog.example", "http://localhost:8080"]


def test_it_refuses_a_minimum_below_the_creators(creator_client):
    response = creator_client.post("/dashboard/widgets/new/", widget_data(min_tip_sats="999"))

    assert response.status_code == 200
    assert "At least your own minimum tip (1,000 sats)" in response.content.decode()
    assert not Widget.objects.exists()


def test_it_refuses_suggested_amounts_below_the_widgets_minimum(creator_client):
    response = creator_client.post(
        "/dashboard/widgets/new/", widget_data(suggested_amounts="1000, 5000")
    )

    assert "Suggested amounts must be between" in response.content.decode()
    assert not Widget.objects.exists()


def test_it_refuses_suggested_amounts_that_are_not_whole_numbers(creator_client):
    response = creator_client.post(
        "/dashboard/widgets/new/", widget_data(suggested_amounts="5000, 1.5k")
    )

    assert "Write whole numbers of sats" in response.content.decode()
    assert not Widget.objects.exists()


@pytest.mark.parametrize(
    "origin",
    [
        "http://blog.example",
        "https://blog.example/path",
        "blog.example",
        "*",
        "https://*",
        "'unsafe-inline'",
        "https://blog.example; script-src *",
        "javascript:alert(1)",
        "https://user@blog.example",
        "https://blog.example:99999",
    ],
)
def test_it_refuses_what_is_not_an_embedding_origin(creator_client, origin):
    response = creator_client.post("/dashboard/widgets/new/", widget_data(allowed_origins=origin))

    assert response.status_code == 200
    assert "is not an origin" in response.content.decode() or "must use https://" in (
        response.content.decode()
    )
    assert not Widget.objects.exists()


def test_it_edits_a_widget(creator_client, widget):
    response = creator_client.post(
        f"/dashboard/widgets/{widget.public_id}/", widget_data(label="Blog", theme="accent")
    )

    widget.refresh_from_db()
    assert response.status_code == 302
    assert (widget.label, widget.theme) == ("Blog", "accent")


def test_it_shows_the_embed_code_and_a_live_preview(creator_client, widget):
    response = creator_client.get(f"/dashboard/widgets/{widget.public_id}/")

    page = response.content.decode()
    script = (
        f"&lt;script src=&quot;http://testserver/embed.js&quot; data-widget=&quot;"
        f"{widget.public_id}&quot; async&gt;&lt;/script&gt;"
    )
    assert script in page
    assert "&lt;noscript&gt;&lt;a href=&quot;http://testserver/@alice&quot;&gt;" in page
    assert f'src="http://testserver/w/{widget.public_id}/"' in page.replace("&quot;", '"')
    assert f'<script src="/embed.js" data-widget="{widget.public_id}" async></script>' in page


def test_the_embed_code_escapes_the_creators_name(creator_client, creator, widget):
    creator.display_name = '"><script>alert(1)</script>'
    creator.save()

    page = creator_client.get(f"/dashboard/widgets/{widget.public_id}/").content.decode()

    assert "<script>alert(1)</script>" not in page
    assert "&amp;lt;script&amp;gt;" in page  # escaped in the snippet, then on the page


def test_it_disables_and_enables_a_widget(creator_client, widget):
    response = creator_client.post(f"/dashboard/widgets/{widget.public_id}/active", {"active": "0"})
    widget.refresh_from_db()
    assert response.status_code == 302
    assert widget.is_active is False

    creator_client.post(f"/dashboard/widgets/{widget.public_id}/active", {"active": "1"})
    widget.refresh_from_db()
    assert widget.is_active is True


def test_it_hides_another_creators_widget(creator_client, someone_elses_widget):
    url = f"/dashboard/widgets/{someone_elses_widget.public_id}/"

    assert creator_client.get(url).status_code == 404
    assert creator_client.post(url, widget_data(label="Mine now")).status_code == 404
    assert creator_client.post(f"{url}active", {"active": "0"}).status_code == 404
    someone_elses_widget.refresh_from_db()
    assert (someone_elses_widget.label, someone_elses_widget.is_active) == ("Not yours", True)


def test_the_embed_code_section_says_when_to_prefer_embed_js(creator_client, widget):
    page = creator_client.get(f"/dashboard/widgets/{widget.public_id}/").content.decode()

    assert "Prefer the embed code above wherever your site lets you add a script" in page
    assert "use it only where scripts are not allowed" in page
    assert "height:840px;border:0" in page


def test_it_reports_every_bad_origin_not_only_the_first(creator_client, widget):
    origins = "https://good.example\nhttp://blog.example\nftp://files.example/\nhttps://ok.example"

    response = creator_client.post(
        f"/dashboard/widgets/{widget.public_id}/", widget_data(allowed_origins=origins)
    )

    page = response.content.decode()
    assert "“http://blog.example” must use https://" in page
    assert "“ftp://files.example/” is not an origin." in page
    assert "good.example" not in str(Widget.objects.get().allowed_origins)


def test_it_explains_the_minimum_and_the_inherited_suggestions(creator_client, creator):
    creator.suggested_amounts = [2100, 21000]
    creator.save()

    page = creator_client.get("/dashboard/widgets/new/").content.decode()

    assert "the minimum of your tip page (1,000 sats, in Tip settings)" in page
    assert "Leave empty to offer the amounts from your Tip settings (2,100, 21,000 sats)." in page
    assert "Amounts below the minimum are not shown." in page


def test_without_tip_settings_amounts_it_explains_the_multiples_of_the_minimum(creator_client):
    page = creator_client.get("/dashboard/widgets/new/").content.decode()

    assert "Leave empty to offer 1, 2, 5 and 10 times the minimum" in page
