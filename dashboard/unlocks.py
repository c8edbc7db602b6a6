"""The creator's paid unlocks under /dashboard/unlocks/: items, their sales, revoking access.

Items and grants are looked up only among the signed-in creator's own
(creators.scoping, through unlocks.selectors), so another creator's ids are 404s.
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
from unlocks import selectors, services
from unlocks.embed import item_embed_snippet
from unlocks.forms import UnlockItemForm
from unlocks.models import UnlockItem
from web.auth import AuthenticatedHttpRequest
from web.pages import site_origin


def owned_or_404(creator: Creator, item_id: str) -> UnlockItem:
    item = selectors.item_get_owned(creator, item_id)
    if item is None:
        raise Http404
    return item


def item_fields(form: UnlockItemForm) -> dict:
    data = dict(form.cleaned_data)
    # The clear checkbox gives False; "no cover" is None for the service.
    data["cover"] = data["cover"] or None
    return data


@creator_required
def item_list(request: HttpRequest, *, creator: Creator) -> HttpResponse:
    context = {"creator": creator, "items": selectors.items_of(creator)}
    return render(request, "dashboard/unlocks/item_list.html", context)


@creator_required
def item_new(request: HttpRequest, *, creator: Creator) -> HttpResponse:
    form = UnlockItemForm(request.POST or None, request.FILES or None)
    if form.is_valid():
        try:
            item = services.item_create(creator=creator, **item_fields(form))
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Item created. Share its page or embed it on your site."))
            return redirect("creator_unlocks:edit", item.public_id)
    return render(request, "dashboard/unlocks/item_form.html", {"form": form, "item": None})


@creator_required
def item_edit(request: HttpRequest, item_id: str, *, creator: Creator) -> HttpResponse:
    item = owned_or_404(creator, item_id)
    form = UnlockItemForm(request.POST or None, request.FILES or None, instance=item)
    if form.is_valid():
        try:
            services.item_update(item=item, **item_fields(form))
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Item saved."))
            return redirect("creator_unlocks:edit", item.public_id)
    context = {
        "form": form,
        "item": item,
        "grants": selectors.grant_rows(creator, item),
        "embed_code": item_embed_snippet(site_origin(request), item),
    }
    return render(request, "dashboard/unlocks/item_form.html", context)


@creator_required
@require_POST
def item_toggle(request: HttpRequest, item_id: str, *, creator: Creator) -> HttpResponse:
    item = owned_or_404(creator, item_id)
    active = request.POST.get("active") == "1"
    services.item_set_active(item=item, active=active)
    if active:
        messages.success(request, _("The item is on sale again."))
    else:
        messages.success(request, _("The item is off sale. Buyers who paid keep their access."))
    return redirect("creator_unlocks:list")


@creator_required
@require_POST
def grant_revoke(
    request: AuthenticatedHttpRequest, item_id: str, grant_id: str, *, creator: Creator
) -> HttpResponse:
    item = owned_or_404(creator, item_id)
    grant = selectors.grant_get_owned(creator, item, grant_id)
    if grant is None:
        raise Http404
    services.grant_revoke(grant=grant, by=request.user)
    messages.success(
        request, _("Access revoked: this buyer's links and receipt code no longer work.")
    )
    return redirect("creator_unlocks:edit", item.public_id)
