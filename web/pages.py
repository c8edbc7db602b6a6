"""What every page a viewer sees shares: its layout, its framing, the embed loader's snippet.

Two layouts (templates beside the site's base.html): the site's full page, or the compact
one a widget shows inside another site's iframe. The tip pages (widgets) and the paid
unlock pages (unlocks) both build on these.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.html import escape

from web.ratelimit import retry_after
from web.security import allow_framing

HOSTED_LAYOUT = "viewer/hosted.html"
COMPACT_LAYOUT = "viewer/compact.html"
LIGHT_THEME = "light"


def site_origin(request: HttpRequest) -> str:
    return f"{request.scheme}://{request.get_host()}"


def viewer_page(
    request: HttpRequest,
    template: str,
    context: dict[str, Any],
    *,
    embedded: bool = False,
    theme: str = LIGHT_THEME,
    frame_origins: Iterable[str] | None = None,
    report_uri: str | None = None,
    status: int = 200,
) -> HttpResponse:
    """A viewer page in the compact layout, framable (by `frame_origins`, or by any site
    when None), when `embedded`; else in the site's layout, which refuses framing."""
    layout = COMPACT_LAYOUT if embedded else HOSTED_LAYOUT
    response = render(
        request, template, {**context, "layout": layout, "theme": theme}, status=status
    )
    if embedded:
        allow_framing(response, frame_origins, report_uri=report_uri)
    return response


def slow_down(response: HttpResponse, wait: int | None = None) -> HttpResponse:
    """A 429: come back after `wait` seconds, or after the rate-limit period."""
    response["Retry-After"] = str(wait or retry_after())
    return response


def loader_snippet(origin: str, *, attribute: str, public_id: str, page: str, text: str) -> str:
    """embed.js for `attribute`="`public_id`", with a plain link to `page` (a path) for
    visitors without JavaScript."""
    return (
        f'<script src="{origin}{reverse("widgets:embed_js")}" '
        f'{attribute}="{public_id}" async></script>\n'
        f'<noscript><a href="{origin}{page}">{escape(text)}</a></noscript>'
    )
