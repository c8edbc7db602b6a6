"""The push channel's HTTP side: a tip's events, and a creator's public goal, as
server-sent events (and the goal as JSON, for pages that poll)."""

from __future__ import annotations

from asgiref.sync import sync_to_async
from django.core.handlers.asgi import ASGIRequest
from django.db import connections
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse, StreamingHttpResponse
from django.utils import timezone
from django.utils.cache import patch_cache_control
from django.views.decorators.http import require_safe

from creators.selectors import creator_get_by_handle, creator_takes_tips
from live.goals import goal_stream_async, public_goal, public_goal_channel
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


# Polling pages (no SSE under WSGI) may share one answer for this long.
GOAL_MAX_AGE = 5


def _public_goal_creator(handle: str, *, streaming: bool) -> int | None:
    """The id of the creator at /@handle if their page shows a goal now, else None."""
    creator = creator_get_by_handle(handle)
    shown = (
        creator is not None
        and creator_takes_tips(creator)
        and public_goal(creator.pk, now=timezone.now()) is not None
    )
    if streaming:
        connections.close_all()  # as tip_known: an idle stream holds no connection
    return creator.pk if shown and creator is not None else None


@require_safe
def goal_json(request: HttpRequest, handle: str) -> JsonResponse:
    """A creator's public goal figures (what their tip page shows), for pages that poll."""
    creator = creator_get_by_handle(handle)
    goal = None
    if creator is not None and creator_takes_tips(creator):
        goal = public_goal(creator.pk, now=timezone.now())
    if goal is None:
        raise Http404
    response = JsonResponse(goal)
    patch_cache_control(response, public=True, max_age=GOAL_MAX_AGE)
    return response


@require_safe
async def goal_events(request: HttpRequest, handle: str) -> HttpResponse | StreamingHttpResponse:
    """The same figures pushed: `event: goal` frames when they change (no secret: only
    what the tip page shows anyway)."""
    streaming = isinstance(request, ASGIRequest)
    creator_id = await sync_to_async(_public_goal_creator)(handle, streaming=streaming)
    channel = public_goal_channel(creator_id) if creator_id is not None else None
    if creator_id is None or channel is None:
        raise Http404
    if not streaming:  # see tip_events: the page polls goal.json instead
        return HttpResponse(status=204)
    stream = goal_stream_async(creator_id, channel)
    response = StreamingHttpResponse(stream, content_type="text/event-stream; charset=utf-8")
    response["Cache-Control"] = "no-cache"
    response["X-Accel-Buffering"] = "no"
    return response
