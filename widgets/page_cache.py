"""Rendered viewer pages kept in Django's cache.

/w/<id>/ and /@<handle> are opened by every viewer of every video a widget sits
under, and change only when a creator edits something, so their HTML is kept
for PAGE_SECONDS and served without a query or a template. Only plain GETs by
visitors with no session and no pending message are served from it: everything
else (tip posts, signed-in creators, query strings) renders afresh.

Freshness: a save of a creator, wallet key or widget bumps VERSION_KEY (see
widgets.signals), which every entry is checked against. With a shared cache
(Redis, CACHE_URL) a change shows at once; with the default per-process cache,
other web processes show it within PAGE_SECONDS. Tip creation always reads the
database, so a stale page can never take a tip the creator no longer accepts.

A cache outage fails open: pages render afresh from the database, as if nothing was
stored (slower, never wrong). An invalidation lost to the outage is harmless too:
entries expire after PAGE_SECONDS.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import wraps

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.middleware.csrf import get_token
from django.utils.translation import get_language

from web.outages import CACHE_ERRORS, cache_answered, cache_failed

PAGE_SECONDS = 30
VERSION_KEY = "widgets:pages:version"
# The site header's forms carry this visitor's CSRF token: the stored HTML holds a
# placeholder instead, filled with the next visitor's own token.
_CSRF_TOKEN = re.compile(rb'(name="csrfmiddlewaretoken" value=")[^"]+(")')
_CSRF_PLACEHOLDER = b"\\g<1>__csrf__\\g<2>"
_CSRF_FILLED = b'name="csrfmiddlewaretoken" value="__csrf__"'
# Set by web.security.allow_framing and read by its middleware on the way out.
_FRAMING = ("frame_ancestors", "xframe_options_exempt", "csp_report_uri")
_CACHED_STATUSES = {200, 403, 410}


def pages_changed() -> None:
    """Invalidate every stored page (they are few and cheap to render again)."""
    try:
        try:
            cache.incr(VERSION_KEY)
        except ValueError:  # no version yet (or evicted): any new value will do
            cache.set(VERSION_KEY, 1, timeout=None)
    except CACHE_ERRORS as exc:
        cache_failed("the page cache", exc)


def _servable_from_cache(request: HttpRequest) -> bool:
    return (
        request.method in ("GET", "HEAD")
        and not request.GET
        and settings.SESSION_COOKIE_NAME not in request.COOKIES
        and "messages" not in request.COOKIES
    )


def _rebuild(request: HttpRequest, entry: dict) -> HttpResponse:
    content = entry["content"]
    if _CSRF_FILLED in content:
        token = get_token(request).encode()
        content = content.replace(_CSRF_FILLED, _CSRF_FILLED.replace(b"__csrf__", token))
    response = HttpResponse(content, status=entry["status"])
    for name, value in entry["framing"].items():
        setattr(response, name, value)
    return response


def cached_page(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Serve `view`'s page from the cache when the request allows it."""

    @wraps(view)
    def wrapper(request: HttpRequest, **kwargs) -> HttpResponse:
        if not _servable_from_cache(request):
            return view(request, **kwargs)
        key = ":".join(["widgets:page", view.__name__, get_language(), *kwargs.values()])
        try:
            found = cache.get_many([VERSION_KEY, key])
        except CACHE_ERRORS as exc:
            cache_failed("the page cache", exc)
            return view(request, **kwargs)
        cache_answered("the page cache")
        version = found.get(VERSION_KEY, 0)
        entry = found.get(key)
        if entry is not None and entry["version"] == version:
            return _rebuild(request, entry)
        response = view(request, **kwargs)
        if response.status_code in _CACHED_STATUSES and not response.streaming:
            entry = {
                "version": version,
                "status": response.status_code,
                "content": _CSRF_TOKEN.sub(_CSRF_PLACEHOLDER, response.content),
                "framing": {
                    name: getattr(response, name) for name in _FRAMING if hasattr(response, name)
                },
            }
            try:
                cache.set(key, entry, timeout=PAGE_SECONDS)
            except CACHE_ERRORS as exc:
                cache_failed("the page cache", exc)
        return response

    return wrapper
