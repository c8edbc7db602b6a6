"""The creator's widget pages under /dashboard/widgets/: list, create, edit, disable.

Widgets are looked up only among the signed-in creator's own (creators.scoping),
so another creator's widget id is answered with 404, never with their widget.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from creators.models import Creator
from dashboard.views import creator_required
from web.pages import site_origin
from widgets import selectors, services
from widgets.embed import embed_snippet, iframe_snippet
from widgets.forms import WidgetForm
from widgets.models import Widget


def owned_or_404(creator: Creator, widget_id: str) -> Widget:
    widget = selectors.widget_get_owned(creator, widget_id)
    if widget is None:
        raise Http404
    return widget


def creator_terms(creator: Creator) -> dict:
    """What a widget inherits from the creator's tip settings, for the form to explain."""
    return {
        "creator_minimum": creator.min_tip_sats,
        "creator_suggestions": creator.suggested_amounts,
    }


@creator_required
def widget_list(request: HttpRequest, *, creator: Creator) -> HttpResponse:
    context = {"creator": creator, "widgets": selectors.widgets_of(creator)}
    return render(request, "dashboard/widgets/widget_list.html", context)


@creator_required
def widget_new(request: HttpRequest, *, creator: Creator) -> HttpResponse:
    form = WidgetForm(request.POST or None, **creator_terms(creator))
    if form.is_valid():
        try:
            widget = services.widget_create(creator=creator, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Widget created. Paste its embed code into your site."))
            return redirect("creator_widgets:edit", widget.public_id)
    return render(request, "dashboard/widgets/widget_form.html", {"form": form, "widget": None})


@creator_required
def widget_edit(request: HttpRequest, widget_id: str, *, creator: Creator) -> HttpResponse:
    widget = owned_or_404(creator, widget_id)
    form = WidgetForm(request.POST or None, widget=widget, **creator_terms(creator))
    if form.is_valid():
        try:
            services.widget_update(widget=widget, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Widget saved."))
            return redirect("creator_widgets:edit", widget.public_id)
    origin = site_origin(request)
    context = {
        "form": form,
        "widget": widget,
        "embed_code": embed_snippet(origin, widget),
        "iframe_code": iframe_snippet(origin, widget),
        "refused_origins": selectors.refused_origins_of(widget),
    }
    return render(request, "dashboard/widgets/widget_form.html", context)


@creator_required
@require_POST
def widget_toggle(request: HttpRequest, widget_id: str, *, creator: Creator) -> HttpResponse:
    widget = owned_or_404(creator, widget_id)
    active = request.POST.get("active") == "1"
    services.widget_set_active(widget=widget, active=active)
    if active:
        messages.success(request, _("Widget enabled: it shows on your site again."))
    else:
        messages.success(request, _("Widget disabled: sites that embed it no longer show it."))
    return redirect("creator_widgets:list")
