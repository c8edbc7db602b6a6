"""The creator's tips: the filtered list and one tip in full (CSV exports: dashboard.exports).

Hiding a message is dashboard.messages' job; the tip page posts to it."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from creators.models import Creator
from dashboard.events import live_context
from dashboard.forms import TipFilterForm
from dashboard.rows import tip_rows
from dashboard.views import creator_required
from payments import reports
from payments.models import Tip
from widgets.selectors import widgets_of


def _filter_form(request: HttpRequest, creator: Creator) -> TipFilterForm:
    return TipFilterForm(request.GET, widgets=list(widgets_of(creator)))


@require_safe
@creator_required
def tip_list(request: HttpRequest, *, creator: Creator) -> HttpResponse:
    form = _filter_form(request, creator)
    # New rows arrive on the unfiltered first page only: elsewhere they belong to no place
    # the page can tell. Taken before the tips are read: nothing falls between.
    unfiltered = not any(request.GET.values())
    live = live_context(creator, "tips") if unfiltered else None
    tips = reports.tips_of(creator=creator, filters=form.filters())
    page = reports.tips_page(
        tips, older_than=request.GET.get("older", ""), newer_than=request.GET.get("newer", "")
    )
    context = {"form": form, "page": page, "rows": tip_rows(page.tips), "live": live}
    return render(request, "dashboard/tip_list.html", context)


def _tip_or_404(creator: Creator, tip_id: str) -> Tip:
    tip = reports.tip_of(creator=creator, public_id=tip_id)
    if tip is None:
        raise Http404
    return tip


@require_safe
@creator_required
def tip_detail(request: HttpRequest, tip_id: str, *, creator: Creator) -> HttpResponse:
    tip = _tip_or_404(creator, tip_id)
    (row,) = tip_rows([tip])
    return render(request, "dashboard/tip_detail.html", {"row": row, "tip": tip})
