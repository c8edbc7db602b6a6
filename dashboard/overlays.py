"""Stream overlays: the creator's three private URLs (OBS browser sources), their settings,
a new token, a goal reset and a test alert."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from creators.models import Creator
from dashboard.views import creator_required
from overlays import services
from overlays.forms import (
    AlertSettingsForm,
    GoalSettingsForm,
    StreamlabsForm,
    SupportersSettingsForm,
)
from overlays.selectors import overlay_token
from overlays.streamlabs import streamlabs_settings_update

FORMS: dict[str, Any] = {
    "alerts": AlertSettingsForm,
    "goal": GoalSettingsForm,
    "supporters": SupportersSettingsForm,
}


@creator_required
def overlay_settings(request: HttpRequest, *, creator: Creator) -> HttpResponse:
    overlay = services.overlay_settings_ensure(creator=creator)
    posted = request.POST.get("form") if request.method == "POST" else None
    forms = {
        "alerts": AlertSettingsForm(
            request.POST if posted == "alerts" else None,
            initial=AlertSettingsForm.initial_of(overlay),
            prefix="alerts",
        ),
        "goal": GoalSettingsForm(
            request.POST if posted == "goal" else None,
            instance=overlay,
            prefix="goal",
            currency=creator.display_currency,
        ),
        "supporters": SupportersSettingsForm(
            request.POST if posted == "supporters" else None, instance=overlay, prefix="supporters"
        ),
        "streamlabs": StreamlabsForm(
            request.POST if posted == "streamlabs" else None,
            initial={
                "streamlabs_enabled": overlay.streamlabs_enabled,
                "streamlabs_currency": overlay.streamlabs_currency,
            },
            has_token=bool(overlay.streamlabs_token_sealed),
            prefix="streamlabs",
        ),
    }
    form = forms.get(posted or "")
    if isinstance(form, StreamlabsForm) and form.is_valid():
        streamlabs_settings_update(overlay=overlay, **form.settings())
        messages.success(request, _("Your Streamlabs settings are saved."))
        return redirect("creators:overlays")
    if form is not None and form.is_valid():
        if isinstance(form, AlertSettingsForm):
            fields = form.settings()
        elif isinstance(form, GoalSettingsForm):
            fields = form.settings(creator)
        else:
            fields = dict(form.cleaned_data)
        services.overlay_settings_update(overlay=overlay, **fields)
        messages.success(request, _("Your overlay settings are saved."))
        return redirect("creators:overlays")
    token = overlay_token(overlay)
    urls = {
        name: request.build_absolute_uri(reverse(f"overlays:{name}", args=[token]))
        for name in FORMS
    }
    return render(
        request,
        "dashboard/overlays.html",
        {"overlay": overlay, "urls": urls, "forms": forms},
    )


@require_POST
@creator_required
def overlay_regenerate(request: HttpRequest, *, creator: Creator) -> HttpResponse:
    overlay = services.overlay_settings_ensure(creator=creator)
    services.overlay_token_regenerate(overlay=overlay)
    messages.success(
        request,
        _("New overlay URLs are ready. The old ones stopped working: update them in OBS."),
    )
    return redirect("creators:overlays")


@require_POST
@creator_required
def overlay_goal_reset(request: HttpRequest, *, creator: Creator) -> HttpResponse:
    overlay = services.overlay_settings_ensure(creator=creator)
    services.overlay_goal_reset(overlay=overlay)
    messages.success(request, _("The goal starts again from zero."))
    return redirect("creators:overlays")


@require_POST
@creator_required
def overlay_test_alert(request: HttpRequest, *, creator: Creator) -> HttpResponse:
    services.overlay_settings_ensure(creator=creator)
    services.overlay_test_alert(
        creator=creator,
        amount_sats=21_000,
        name=_("Satoshi"),
        message=_("This is a test alert. No tip was made."),
    )
    messages.success(request, _("A test alert is on its way to your alerts overlay."))
    return redirect("creators:overlays")
