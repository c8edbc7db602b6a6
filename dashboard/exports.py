"""CSV exports of the tip list: started with the list's filters, watched, downloaded.

Every export runs in a worker (dashboard.services.tip_export_run), however small: one
path, and nothing a request timeout can cut short.
"""

from __future__ import annotations

from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST, require_safe

from creators.models import Creator
from dashboard import selectors, services
from dashboard.forms import TipFilterForm
from dashboard.models import ExportStatus, TipExport
from dashboard.views import creator_required
from widgets.selectors import widgets_of


def download_response(export: TipExport) -> FileResponse:
    """The export's file as an attachment named after the day it was asked for."""
    filename = f"bitcache-tips-{export.day.isoformat()}.csv"
    response = FileResponse(
        export.file.open("rb"), as_attachment=True, filename=filename, content_type="text/csv"
    )
    response["Content-Type"] = "text/csv; charset=utf-8"
    return response


def _export_or_404(creator: Creator, export_id: str) -> TipExport:
    export = selectors.tip_export_of(creator=creator, public_id=export_id)
    if export is None:
        raise Http404
    return export


@require_POST
@creator_required
def export_start(request: HttpRequest, *, creator: Creator) -> HttpResponse:
    """Export the tip list as it is filtered (the filters come in the POST body)."""
    form = TipFilterForm(request.POST, widgets=list(widgets_of(creator)))
    export = services.tip_export_start(creator=creator, filters=form.filters())
    return redirect("creators:tips_export_status", export_id=export.public_id)


@require_safe
@creator_required
def export_status(request: HttpRequest, export_id: str, *, creator: Creator) -> HttpResponse:
    export = _export_or_404(creator, export_id)
    context = {
        "export": export,
        "working": export.status in (ExportStatus.QUEUED, ExportStatus.RUNNING),
        "expired": selectors.tip_export_expired(export, now=timezone.now()),
    }
    return render(request, "dashboard/tip_export.html", context)


@require_safe
@creator_required
def export_download(request: HttpRequest, export_id: str, *, creator: Creator) -> HttpResponseBase:
    export = _export_or_404(creator, export_id)
    if selectors.tip_export_expired(export, now=timezone.now()):
        context = {"export": export, "working": False, "expired": True}
        return render(request, "dashboard/tip_export.html", context, status=410)
    if export.status != ExportStatus.DONE:
        raise Http404
    return download_response(export)
