"""The push channel's HTTP side: a tip's events as server-sent events."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

from asgiref.sync import sync_to_async
from django.core.handlers.asgi import ASGIRequest
from django.http import Http404, HttpRequest, StreamingHttpResponse
from django.views.decorators.http import require_safe

from live.stream import tip_stream_async, tip_stream_sync
from payments.selectors import tip_get_public


def resume_after(request: HttpRequest) -> int:
    """The last event id the viewer has: the browser's Last-Event-ID on a reconnection,
    else the one the page was rendered with (?after=), else none (0)."""
    raw = request.headers.get("Last-Event-ID") or request.GET.get("after") or "0"
    return int(raw) if raw.isdigit() else 0


@require_safe
async def tip_events(request: HttpRequest, tip_id: str) -> StreamingHttpResponse:
    if await sync_to_async(tip_get_public)(tip_id) is None:
        raise Http404
    after = resume_after(request)
    stream: AsyncIterator[str] | Iterator[str]
    if isinstance(request, ASGIRequest):
        stream = tip_stream_async(tip_id, after=after)
    else:
        # WSGI (runserver, the test server): Django would read an async iterator to its
        # end before sending anything, so the connection gets a thread and a plain one.
        stream = tip_stream_sync(tip_id, after=after)
    response = StreamingHttpResponse(stream, content_type="text/event-stream; charset=utf-8")
    response["Cache-Control"] = "no-cache"
    response["X-Accel-Buffering"] = "no"  # nginx: pass each frame on at once
    return response
