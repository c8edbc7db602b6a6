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


# The attributes allow_framing() sets on a response and the middleware reads on the way
# out (widgets' page cache stores them with the page). No HttpResponse declares them.
FRAME_ANCESTORS_ATTRIBUTE = "frame_ancestors"
CSP_REPORT_URI_ATTRIBUTE = "csp_report_uri"


def build_policy(frame_ancestors: str | None = None, report_uri: str | None = None) -> str:
    policy = dict(BASE_POLICY)
    if frame_ancestors is not None:
        policy["frame-ancestors"] = frame_ancestors
    if report_uri is not None:
        policy["report-uri"] = report_uri
    return "; ".join(f"{name} {value}" for name, value in policy.items())


class ContentSecurityPolicyMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        ancestors: str | None = getattr(response, FRAME_ANCESTORS_ATTRIBUTE, None)
        report_uri: str | None = getattr(response, CSP_REPORT_URI_ATTRIBUTE, None)
        response.headers.setdefault("Content-Security-Policy", build_policy(ancestors, report_uri))
        return response


def allow_framing(
    response: HttpResponse, origins: Iterable[str] | None, *, report_uri: str | None = None
) -> HttpResponse:
    """Let `origins` (or any origin when None/empty) frame this response; browsers that
    refuse to show it in a frame elsewhere report so to `report_uri`, when given."""
    allowed = " ".join(origins or []) or "*"
    setattr(response, FRAME_ANCESTORS_ATTRIBUTE, allowed)
    if report_uri is not None:
        setattr(response, CSP_REPORT_URI_ATTRIBUTE, report_uri)
    response.xframe_options_exempt = True
    return response


def framable(view):
    """Decorator for views whose every response may be framed by any origin."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        return allow_framing(view(request, *args, **kwargs), None)

    return wrapped
