"""Tip settings: display currency, minimum and suggested amounts (sats or fiat),
confirmations, thank-you message, email."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from creators import services
from creators.models import Creator
from dashboard.forms import TipSettingsForm
from dashboard.views import creator_required


@creator_required
def tip_settings(request: HttpRequest, *, creator: Creator) -> HttpResponse:
    initial = {
        "display_currency": creator.display_currency,
        "min_tip_sats": creator.min_tip_sats,
        "onchain_min_sats": creator.onchain_min_sats,
        "min_tip_fiat": creator.min_tip_fiat,
        "suggested_fiat": " ".join(creator.suggested_fiat),
        "suggested_amounts": ", ".join(map(str, creator.suggested_amounts)),
        "confirmations_required": creator.confirmations_required,
        "thank_you_message": creator.thank_you_message,
        "notify_on_confirmed_tip": creator.notify_on_confirmed_tip,
    }
    form = TipSettingsForm(request.POST or None, initial=initial)
    if form.is_valid():
        try:
            services.creator_tip_settings_update(creator=creator, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Your tip settings are saved."))
            return redirect("creators:tip_settings")
    return render(request, "dashboard/tip_settings.html", {"form": form})
