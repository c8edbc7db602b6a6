import sys

from django.http import HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.urls import reverse
from django.views.decorators.cache import cache_control, never_cache
from django.views.decorators.http import require_safe

from bitcache.context_processors import site
from bitcache.health import health_report, public_report
from web.outages import OUTAGE_ERRORS

RETRY_AFTER_SECONDS = 60


@require_safe
def home(request):
    return render(request, "home.html")


@never_cache
@require_safe
def healthz(request):
    healthy, report = health_report()
    return JsonResponse(
        {"status": "ok" if healthy else "unhealthy", **public_report(report)},
        status=200 if healthy else 503,
    )


@require_safe
@cache_control(max_age=86400, public=True)
def favicon_svg(request):
    # The header's logo, so the two never drift apart.
    return render(request, "bitcache/logo.svg", content_type="image/svg+xml")


@require_safe
@cache_control(max_age=86400, public=True)
def favicon_ico(request):
    # Browsers ask for /favicon.ico whatever the page links.
    return HttpResponseRedirect(reverse("favicon_svg"))


def server_error(request):
    """handler500: "try again in a minute" (503) when the database or cache is down,
    "something went wrong" (500) otherwise, both in the site's layout.

    Rendered without the request's context processors: those read the session and the
    signed-in user, from the database that may be what is down.
    """
    error = sys.exc_info()[1]
    outage = isinstance(error, OUTAGE_ERRORS)
    template, status = ("503.html", 503) if outage else ("500.html", 500)
    response = HttpResponse(render_to_string(template, site(request)), status=status)
    if outage:
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response
