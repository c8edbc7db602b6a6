"""Content-Security-Policy for every response.

Pages load only our own scripts, styles and images, and refuse to be framed.
Widget pages are the one exception: they are meant to sit in an iframe on a
creator's site, so their views name the origins allowed to frame them with
`allow_framing`, which also lifts X-Frame-Options for that response.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from functools import wraps

from django.http import HttpRequest, HttpResponse

BASE_POLICY = {
    "default-src": "'self'",
    "script-src": "'self'",
    "style-src": "'self'",
    "img-src": "'self' data:",
    "connect-src": "'self'",
    "font-src": "'self'",
    "object-src": "'none'",
    "base-uri": "'self'",
    "form-action": "'self'",
    "frame-ancestors": "'none'",
}


# The attribute allow_framing() sets on a response and the middleware reads on the way
# out (widgets' page cache stores it with the page). Not one HttpResponse declares.
FRAME_ANCESTORS_ATTRIBUTE = "frame_ancestors"


def build_policy(frame_ancestors: str | None = None) -> str:
    policy = dict(BASE_POLICY)
    if frame_ancestors is not None:
        policy["frame-ancestors"] = frame_ancestors
    return "; ".join(f"{name} {value}" for name, value in policy.items())


class ContentSecurityPolicyMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        ancestors: str | None = getattr(response, FRAME_ANCESTORS_ATTRIBUTE, None)
        response.headers.setdefault("Content-Security-Policy", build_policy(ancestors))
        return response


def allow_framing(response: HttpResponse, origins: Iterable[str] | None) -> HttpResponse:
    """Let `origins` (or any origin when None/empty) frame this response."""
    allowed = " ".join(origins or []) or "*"
    setattr(response, FRAME_ANCESTORS_ATTRIBUTE, allowed)
    response.xframe_options_exempt = True
    return response


def framable(view):
    """Decorator for views whose every response may be framed by any origin."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        return allow_framing(view(request, *args, **kwargs), None)

    return wrapped
