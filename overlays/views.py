"""The overlay pages (OBS browser sources) and their server-sent events.

The token in the URL is the only credential: no cookie is read or set, any origin may
frame the pages (OBS shows them as a browser source), and they load only our own files.
"""

from __future__ import annotations

from asgiref.sync import sync_to_async
from django.core.handlers.asgi import ASGIRequest
from django.db import connections
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from live.views import resume_after
from overlays.models import OverlaySettings
from overlays.selectors import WANTS, overlay_by_token, overlay_last_event_id
from overlays.stream import overlay_stream_async
from web.security import allow_framing


def _page(request: HttpRequest, token: str, want: str) -> HttpResponse:
    overlay = overlay_by_token(token)
    if overlay is None:
        raise Http404
    context = {
        "want": want,
        "events_url": f"/overlay/{token}/events?want={want}",
        "after": overlay_last_event_id(overlay) if want == "alerts" else 0,
    }
    response = render(request, f"overlays/{want}.html", context)
    response["Referrer-Policy"] = "no-referrer"  # the URL holds the token
    return allow_framing(response, None)


@require_safe
@never_cache
def alerts(request: HttpRequest, token: str) -> HttpResponse:
    return _page(request, token, "alerts")


@require_safe
@never_cache
def goal(request: HttpRequest, token: str) -> HttpResponse:
    return _page(request, token, "goal")


@require_safe
@never_cache
def supporters(request: HttpRequest, token: str) -> HttpResponse:
    return _page(request, token, "supporters")


def _overlay_known(token: str, *, streaming: bool) -> OverlaySettings | None:
    overlay = overlay_by_token(token)
    if streaming:
        # An idle stream must not hold this thread's database connection for its life.
        connections.close_all()
    return overlay


@require_safe
async def events(request: HttpRequest, token: str) -> HttpResponse | StreamingHttpResponse:
    streaming = isinstance(request, ASGIRequest)
    overlay = await sync_to_async(_overlay_known)(token, streaming=streaming)
    want = request.GET.get("want", "alerts")
    if overlay is None or want not in WANTS:
        raise Http404
    if not streaming:
        # Under WSGI an endless stream would hold a worker thread (see live.views): 204
        # tells EventSource to give up. Overlays need the ASGI server (make run, deploy).
        return HttpResponse(status=204)
    stream = overlay_stream_async(token, overlay.creator_id, after=resume_after(request), want=want)
    response = StreamingHttpResponse(stream, content_type="text/event-stream; charset=utf-8")
    response["Cache-Control"] = "no-cache"
    response["X-Accel-Buffering"] = "no"
    return response
