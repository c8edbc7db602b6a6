"""The dashboard's push channel over HTTP: the signed-in creator's tip moves as
server-sent events (ASGI), and the same reads as JSON for pages that poll instead."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.handlers.asgi import ASGIRequest
from django.db import connections
from django.http import HttpRequest, HttpResponse, JsonResponse, StreamingHttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect
from django.views.decorators.http import require_safe

from creators import selectors
from creators.models import Creator
from dashboard.live import Cursor, cursor_or_now, dashboard_cursor, dashboard_read
from dashboard.overview import RECENT_TIPS
from dashboard.stream import dashboard_stream_async
from payments.reports import TIPS_PER_PAGE

# The pages that follow the channel, and how many rows their table keeps.
LIVE_VIEWS = {"overview": RECENT_TIPS, "tips": TIPS_PER_PAGE}


def live_context(creator: Creator, view: str) -> dict[str, Any]:
    """What a page needs to follow the channel; taken before the page reads its tips."""
    return {"view": view, "cursor": str(dashboard_cursor(creator)), "rows": LIVE_VIEWS[view]}


def _creator_and_cursor(
    request: HttpRequest, raw: str, *, streaming: bool
) -> tuple[Creator, Cursor | None] | None:
    creator = selectors.creator_for_user(user=request.user)
    if creator is None or not streaming:
        return (creator, None) if creator else None
    cursor = cursor_or_now(creator, raw)
    # This request's connection goes now: an idle stream must not hold one for its life.
    connections.close_all()
    return creator, cursor


def _raw_cursor(request: HttpRequest) -> str:
    """The browser's Last-Event-ID on a reconnection, else the page's own (?cursor=)."""
    return request.headers.get("Last-Event-ID") or request.GET.get("cursor", "")


@require_safe
@login_required
def dashboard_events(request: HttpRequest) -> HttpResponseBase:
    # A sync view returning an async stream: under ASGI Django runs it on a thread and
    # streams the generator on the event loop; under WSGI it never gets as far (204), and
    # no event loop is needed to refuse it.
    streaming = isinstance(request, ASGIRequest)
    found = _creator_and_cursor(request, _raw_cursor(request), streaming=streaming)
    if found is None:
        return redirect("creators:onboarding")  # as every dashboard page does
    creator, cursor = found
    if cursor is None:
        # Under WSGI each connection would hold a worker: 204 tells EventSource not to
        # reconnect, and the page polls dashboard_events_poll instead.
        return HttpResponse(status=204)
    totals = request.GET.get("view") == "overview"
    stream = dashboard_stream_async(creator, cursor=cursor, totals=totals)
    response = StreamingHttpResponse(stream, content_type="text/event-stream; charset=utf-8")
    response["Cache-Control"] = "no-cache"
    response["X-Accel-Buffering"] = "no"  # nginx: pass each frame on at once
    return response


@require_safe
@login_required
def dashboard_events_poll(request: HttpRequest) -> HttpResponseBase:
    """The fallback: what the stream would have sent since `?cursor=`, and the next cursor."""
    creator = selectors.creator_for_user(user=request.user)
    if creator is None:
        return redirect("creators:onboarding")
    cursor = cursor_or_now(creator, request.GET.get("cursor", ""))
    read = dashboard_read(creator, cursor, totals=request.GET.get("view") == "overview")
    response = JsonResponse({"cursor": str(read.cursor), "tips": read.tips, "totals": read.totals})
    response["Cache-Control"] = "no-store"
    return response
