"""The push channel's HTTP side: a tip's events as server-sent events."""

from __future__ import annotations

from asgiref.sync import sync_to_async
from django.core.handlers.asgi import ASGIRequest
from django.db import connections
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.views.decorators.http import require_safe

from live.stream import tip_stream_async
from payments.selectors import tip_get_public


def resume_after(request: HttpRequest) -> int:
    """The last event id the viewer has: the browser's Last-Event-ID on a reconnection,
    else the one the page was rendered with (?after=), else none (0)."""
    raw = request.headers.get("Last-Event-ID") or request.GET.get("after") or "0"
    return int(raw) if raw.isdigit() else 0


def tip_known(tip_id: str) -> bool:
    known = tip_get_public(tip_id) is not None
    # This request's thread (the middleware's and this look-up's) lets its database
    # connection go now: an idle stream must not hold one for its whole life. The
    # stream's reads use a few pool threads' connections (live.stream).
    connections.close_all()
    return known


@require_safe
async def tip_events(request: HttpRequest, tip_id: str) -> HttpResponse | StreamingHttpResponse:
    if not await sync_to_async(tip_known)(tip_id):
        raise Http404
    if not isinstance(request, ASGIRequest):
        # Under WSGI (gunicorn, runserver, the tests' live server) Django reads an async
        # stream to its end before sending anything, and each connection would hold a
        # worker thread. 204 tells EventSource not to reconnect: the page polls instead.
        return HttpResponse(status=204)
    stream = tip_stream_async(tip_id, after=resume_after(request))
    response = StreamingHttpResponse(stream, content_type="text/event-stream; charset=utf-8")
    response["Cache-Control"] = "no-cache"
    response["X-Accel-Buffering"] = "no"  # nginx: pass each frame on at once
    return response
