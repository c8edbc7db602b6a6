"""The widget is light, self-contained and fits the site's CSP: what a video page can afford."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.contrib.staticfiles import finders

from payments.models import Tip

pytestmark = pytest.mark.django_db

BUDGET_BYTES = 30 * 1024
ASSET = re.compile(r'<(?:script|link)\b[^>]*\b(?:src|href)="([^"]+)"')


def weight(page: str) -> int:
    """Bytes of the page and of every script and stylesheet it loads (uncompressed)."""
    total = len(page.encode())
    for url in ASSET.findall(page):
        assert url.startswith("/static/"), f"{url} is not one of our own static files"
        found = finders.find(url.removeprefix("/static/"))
        assert isinstance(found, str), f"{url} is not a static file"
        total += Path(found).stat().st_size
    return total


@pytest.fixture
def widget_pages(client, widget):
    form = client.get(f"/w/{widget.public_id}/").content.decode()
    client.post(f"/w/{widget.public_id}/", {"amount_sats": "5000", "message": "x" * 280})
    payment = client.get(f"/t/{Tip.objects.get().public_id}/").content.decode()
    return [form, payment]


def test_each_widget_screen_weighs_under_30_kb_with_its_css_and_js(widget_pages):
    for page in widget_pages:
        assert weight(page) <= BUDGET_BYTES


def test_the_widget_makes_no_third_party_request(widget_pages):
    for page in widget_pages:
        for url in re.findall(r'\b(?:src|href|action)="([^"]*)"', page):
            assert url.startswith(("/", "bitcoin:")), url


def test_the_widget_has_no_inline_script_or_style_for_the_csp(widget_pages):
    for page in widget_pages:
        assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", page)
        assert " style=" not in page
        assert "<style" not in page
        assert not re.search(r"\son[a-z]+=", page)  # no inline event handlers


def test_the_hosted_page_has_no_inline_script_or_style(client, creator):
    page = client.get("/@alice").content.decode()

    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", page)
    assert " style=" not in page
