"""The dashboard's overlay settings forms (rendered by dashboard.overlays)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from creators.models import Creator
from overlays.models import AlertSound, AlertStyle, OverlaySettings
from overlays.services import MAX_TIERS, goal_target_fields
from payments.pricing import parse_fiat
from rates.money import minor_unit
from web.currencies import CURRENCIES


class AlertSettingsForm(forms.Form):
    alert_min_sats = forms.IntegerField(
        label=_("Minimum amount to alert (sats)"), min_value=0, max_value=2_100_000_000_000_000
    )
    alert_speech = forms.BooleanField(
        label=_("Read alerts aloud (the browser's text-to-speech)"), required=False
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for n in range(1, MAX_TIERS + 1):
            self.fields[f"tier{n}_on"] = forms.BooleanField(
                label=_("Tier %(n)s: on") % {"n": n}, required=False
            )
            self.fields[f"tier{n}_min_sats"] = forms.IntegerField(
                label=_("Tier %(n)s: from (sats)") % {"n": n}, min_value=0, required=False
            )
            self.fields[f"tier{n}_style"] = forms.ChoiceField(
                label=_("Tier %(n)s: style") % {"n": n}, choices=AlertStyle.choices
            )
            self.fields[f"tier{n}_sound"] = forms.ChoiceField(
                label=_("Tier %(n)s: sound") % {"n": n}, choices=AlertSound.choices
            )
            self.fields[f"tier{n}_seconds"] = forms.IntegerField(
                label=_("Tier %(n)s: shown for (seconds)") % {"n": n}, min_value=2, max_value=60
            )

    def general_fields(self) -> list[forms.BoundField]:
        return [self["alert_min_sats"], self["alert_speech"]]

    def tier_fields(self) -> list[tuple[int, list[forms.BoundField]]]:
        """The tiers' fields, grouped by tier (a fieldset each in the page)."""
        keys = ("on", "min_sats", "style", "sound", "seconds")
        return [(n, [self[f"tier{n}_{key}"] for key in keys]) for n in range(1, MAX_TIERS + 1)]

    @staticmethod
    def initial_of(overlay: OverlaySettings) -> dict[str, Any]:
        initial: dict[str, Any] = {
            "alert_min_sats": overlay.alert_min_sats,
            "alert_speech": overlay.alert_speech,
        }
        defaults = [
            (AlertStyle.PLAIN, AlertSound.CHIME, 0),
            (AlertStyle.BRIGHT, AlertSound.COINS, 10_000),
            (AlertStyle.GOLD, AlertSound.FANFARE, 100_000),
        ]
        for n, (style, sound, min_sats) in enumerate(defaults, start=1):
            tier = overlay.alert_tiers[n - 1] if n <= len(overlay.alert_tiers) else None
            initial[f"tier{n}_on"] = tier is not None
            tier = tier or {"min_sats": min_sats, "style": style, "sound": sound, "seconds": 6}
            for key in ("min_sats", "style", "sound", "seconds"):
                initial[f"tier{n}_{key}"] = tier[key]
        return initial

    def settings(self) -> dict[str, Any]:
        data = self.cleaned_data
        tiers = [
            {
                "min_sats": data[f"tier{n}_min_sats"] or 0,
                "style": data[f"tier{n}_style"],
                "sound": data[f"tier{n}_sound"],
                "seconds": data[f"tier{n}_seconds"],
            }
            for n in range(1, MAX_TIERS + 1)
            if data.get(f"tier{n}_on")
        ]
        return {
            "alert_min_sats": data["alert_min_sats"],
            "alert_speech": data["alert_speech"],
            "alert_tiers": tiers,
        }


class GoalSettingsForm(forms.ModelForm):
    """The goal: a target in sats or in the creator's display currency, its period, and
    whether the tip page and widgets show it too."""

    goal_unit = forms.ChoiceField(label=_("Target in"), widget=forms.RadioSelect, required=False)
    goal_target_fiat = forms.DecimalField(
        label=_("Target (display currency)"),
        required=False,
        min_value=Decimal("0.001"),
        max_digits=14,
        decimal_places=3,
    )

    class Meta:
        model = OverlaySettings
        fields = [
            "goal_title",
            "goal_unit",
            "goal_target_sats",
            "goal_target_fiat",
            "goal_period",
            "goal_starts_at",
            "goal_ends_at",
            "goal_public",
        ]
        labels = {
            "goal_title": _("Goal title"),
            "goal_target_sats": _("Target (sats)"),
            "goal_period": _("Counts tips of"),
            "goal_starts_at": _("From (custom dates)"),
            "goal_ends_at": _("Until (custom dates)"),
            "goal_public": _("Show my goal on my tip page and widgets"),
        }
        widgets = {
            "goal_starts_at": forms.DateTimeInput(attrs={"type": "datetime-local"}),
            "goal_ends_at": forms.DateTimeInput(attrs={"type": "datetime-local"}),
        }

    def __init__(self, *args: Any, currency: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.currency = currency
        unit = self.fields["goal_unit"]
        assert isinstance(unit, forms.ChoiceField)
        unit.choices = [("sats", _("sats")), ("fiat", currency)]
        unit.initial = "fiat" if self.instance.goal_currency else "sats"
        self.fields["goal_target_fiat"].label = _("Target (%(currency)s)") % {"currency": currency}
        self.fields["goal_target_fiat"].help_text = _(
            "Counted with each tip at the exchange rate it was made at."
        )
        self.fields["goal_target_sats"].required = False
        if self.instance.goal_target_fiat is not None and not self.is_bound:
            # Stored to a thousandth (dinars): shown with the currency's own digits.
            digits = minor_unit(self.instance.goal_currency or currency)
            self.initial["goal_target_fiat"] = self.instance.goal_target_fiat.quantize(digits)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("goal_period") == "custom":
            starts, ends = data.get("goal_starts_at"), data.get("goal_ends_at")
            if not starts:
                self.add_error("goal_starts_at", _("Custom dates need a start."))
            elif ends and ends <= starts:
                self.add_error("goal_ends_at", _("The end must come after the start."))
        if data.get("goal_unit") == "fiat":
            target = data.get("goal_target_fiat")
            if target is None or parse_fiat(str(target), self.currency) is None:
                self.add_error(
                    "goal_target_fiat",
                    _("Enter a positive amount in %(currency)s, like 50.00.")
                    % {"currency": self.currency},
                )
            if not data.get("goal_target_sats"):  # unused meanwhile: kept as it was
                data["goal_target_sats"] = self.instance.goal_target_sats
        elif not data.get("goal_target_sats"):
            self.add_error("goal_target_sats", _("The target must be at least 1 sat."))
        return data

    def settings(self, creator: Creator) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        fiat = data.pop("goal_target_fiat") if data.pop("goal_unit") == "fiat" else None
        return {**data, **goal_target_fields(creator=creator, target_fiat=fiat)}


class SupportersSettingsForm(forms.ModelForm):
    supporters_count = forms.IntegerField(label=_("How many to show"), min_value=1, max_value=10)

    class Meta:
        model = OverlaySettings
        fields = ["supporters_mode", "supporters_period", "supporters_count"]
        labels = {"supporters_mode": _("Show"), "supporters_period": _("Over")}


class StreamlabsForm(forms.Form):
    streamlabs_enabled = forms.BooleanField(
        label=_("Post each tip to my Streamlabs alert box too"), required=False
    )
    streamlabs_token = forms.CharField(
        label=_("Streamlabs API access token"),
        required=False,
        strip=True,
        max_length=500,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "off"}),
        help_text=_("Kept encrypted; leave empty to keep the one saved."),
    )
    streamlabs_currency = forms.ChoiceField(label=_("Currency sent to Streamlabs"))

    def __init__(self, *args: Any, has_token: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.has_token = has_token
        currency_field = self.fields["streamlabs_currency"]
        assert isinstance(currency_field, forms.ChoiceField)
        currency_field.choices = [(code, code) for code in CURRENCIES]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("streamlabs_enabled") and not (data.get("streamlabs_token") or self.has_token):
            self.add_error("streamlabs_token", _("Paste your Streamlabs token to switch this on."))
        return data

    def settings(self) -> dict[str, Any]:
        return {
            "enabled": self.cleaned_data["streamlabs_enabled"],
            "currency": self.cleaned_data["streamlabs_currency"],
            "token": self.cleaned_data["streamlabs_token"],
        }
