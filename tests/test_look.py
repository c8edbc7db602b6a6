"""The look holds on any machine: readable link colours, an icon, a logo needing no font."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.contrib.staticfiles import finders

pytestmark = pytest.mark.django_db

CUSTOM_PROPERTY = re.compile(r"(--[\w-]+)\s*:\s*#([0-9a-fA-F]{6}|[0-9a-fA-F]{3})\b")


def colours(stylesheet: str, block: str = ":root") -> dict[str, str]:
    """The colour custom properties set in the first `block { ... }` of a static stylesheet."""
    found = finders.find(stylesheet)
    assert isinstance(found, str), f"no static file {stylesheet}"
    css = Path(found).read_text()
    start = css.index(block + " {")
    body = css[start : css.index("}", start)]
    return {
        name: "#" + (value if len(value) == 6 else "".join(c * 2 for c in value))
        for name, value in CUSTOM_PROPERTY.findall(body)
    }


def relative_luminance(colour: str) -> float:
    def channel(value: int) -> float:
        c = value / 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (int(colour[i : i + 2], 16) for i in (1, 3, 5))
    return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b)


def contrast(foreground: str, background: str) -> float:
    """WCAG 2.x contrast ratio."""
    light, dark = sorted(map(relative_luminance, (foreground, background)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def test_the_wcag_formula_matches_known_ratios():
    assert contrast("#000000", "#ffffff") == pytest.approx(21)
    assert contrast("#b35f00", "#fbfaf7") == pytest.approx(4.41, abs=0.01)  # issue 14, item 16


@pytest.mark.parametrize("background", ["--bg", "--card"])
def test_links_on_the_site_pass_wcag_aa(background):
    site = colours("bitcache/site.css")

    assert contrast(site["--accent-dark"], site[background]) >= 4.5


@pytest.mark.parametrize("theme", [".tip-card", ".theme-dark .tip-card", ".theme-accent .tip-card"])
def test_accent_text_in_the_widget_passes_wcag_aa(theme):
    theme_colours = colours("widgets/tip.css", ".tip-card") | colours("widgets/tip.css", theme)

    for background in ("--tc-bg", "--tc-soft", "--tc-accent-soft"):
        assert contrast(theme_colours["--tc-accent-ink"], theme_colours[background]) >= 4.5


def test_every_page_links_an_svg_icon(client):
    page = client.get("/").content.decode()

    assert '<link rel="icon" href="/favicon.svg" type="image/svg+xml">' in page
    icon = client.get("/favicon.svg")
    assert icon.status_code == 200
    assert icon["Content-Type"] == "image/svg+xml"
    assert icon.content.decode().startswith("<svg")


def test_favicon_ico_is_found(client):
    response = client.get("/favicon.ico", follow=True)

    assert response.status_code == 200
    assert response["Content-Type"] == "image/svg+xml"


def test_the_logo_is_drawn_not_typed(client):
    """A ₿ glyph shows as a box on machines without a font that has it."""
    page = client.get("/").content.decode()
    header = page[
        page.index('<a class="brand"') : page.index("</a>", page.index('<a class="brand"'))
    ]

    assert "<svg" in header
    assert "₿" not in Path(finders.find("bitcache/site.css")).read_text()
