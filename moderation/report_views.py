"""/@<handle>/report: any viewer can report a creator, without an account.

The form is CSRF-protected and opens on this site (the widget links to it in a
new tab, where our cookies work). Reports are rate-limited per client address
in services.report_create; too many get a 429 that says to slow down.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_safe

from creators.models import Creator
from creators.selectors import creator_get_by_handle
from moderation.forms import ReportForm
from moderation.services import REPORT_RATE_PERIOD, report_create
from web.ratelimit import client_ip, retry_after


def creator_or_404(handle: str) -> Creator:
    creator = creator_get_by_handle(handle)
    if creator is None:
        raise Http404
    return creator


@require_http_methods(["GET", "HEAD", "POST"])
def report(request: HttpRequest, handle: str) -> HttpResponse:
    creator = creator_or_404(handle)
    form = ReportForm(request.POST if request.method == "POST" else None)
    status = 400 if form.is_bound else 200
    if form.is_valid():
        try:
            report_create(creator=creator, client_ip=client_ip(request), **form.cleaned_data)
        except ValidationError as refusal:
            form.add_error(None, refusal)
            if getattr(refusal, "code", None) == "rate_limited":
                status = 429
        else:
            return redirect("reports:sent", creator.handle)
    response = render(
        request, "moderation/report.html", {"creator": creator, "form": form}, status=status
    )
    if status == 429:
        response["Retry-After"] = str(retry_after(REPORT_RATE_PERIOD))
    return response


@require_safe
def report_sent(request: HttpRequest, handle: str) -> HttpResponse:
    return render(request, "moderation/report_sent.html", {"creator": creator_or_404(handle)})
