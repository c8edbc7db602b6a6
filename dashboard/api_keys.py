"""API keys: the creator makes one (and sees its token once), lists and revokes them."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from creators import selectors, services
from creators.models import Creator
from dashboard.forms import ApiKeyForm
from dashboard.views import creator_required


@creator_required
def api_key_list(request: HttpRequest, *, creator: Creator) -> HttpResponse:
    form = ApiKeyForm(request.POST or None)
    token = None
    if form.is_valid():
        # The token is shown in this response only: it is not stored, so there is no
        # page to redirect to that could show it again.
        _key, token = services.api_key_create(creator=creator, name=form.cleaned_data["name"])
        form = ApiKeyForm()
    context = {"form": form, "token": token, "api_keys": selectors.api_keys_of(creator=creator)}
    return render(request, "dashboard/api_keys.html", context)


@require_POST
@creator_required
def api_key_revoke(request: HttpRequest, key_id: int, *, creator: Creator) -> HttpResponse:
    api_key = selectors.api_keys_of(creator=creator).filter(pk=key_id).first()
    if api_key is None:
        raise Http404
    services.api_key_revoke(api_key=api_key)
    messages.success(request, _("The key “%(name)s” is revoked.") % {"name": api_key.name})
    return redirect("creators:api_keys")
