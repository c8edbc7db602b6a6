"""Forms parse what people type; the rules live in payments.services and widgets.services.

The tip form only turns text into a number and adds the HTML attributes that let
the browser refuse a bad amount before it is sent; tip_create decides again.
"""

from __future__ import annotations

import re
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django import forms
from django.contrib.humanize.templatetags.humanize import intcomma
from django.utils.translation import gettext_lazy as _

from payments.pricing import parse_fiat
from payments.services import MESSAGE_MAX_LENGTH, NAME_MAX_LENGTH, TipRefused
from web.fiat import FiatAmount
from widgets.models import Widget, WidgetTheme
from widgets.selectors import TipTerms

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

_LIST_SEPARATORS = re.compile(r"[\s,;]+")
_WHOLE_NUMBER = re.compile(r"[0-9]+")


class TipForm(forms.Form):
    """The amount is given in sats, or in the creator's display currency while a rate
    exists (`amount_fiat`, which wins when both are filled: the page's toggle shows one)."""

    amount_sats = forms.IntegerField(
        label=_("Amount in sats"),
        required=False,
        error_messages={
            "invalid": _("Enter the amount as a whole number of sats, like 5000."),
        },
    )
    amount_fiat = forms.CharField(required=False, max_length=30)
    name = forms.CharField(label=_("Your name"), required=False, strip=False)
    name_public = forms.BooleanField(
        label=_("Show my name on stream and in public supporter lists"), required=False
    )
    message = forms.CharField(
        label=_("Message"), required=False, strip=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, terms: TipTerms, **kwargs):
        kwargs.setdefault("initial", {"amount_sats": terms.default_sats})
        super().__init__(*args, **kwargs)
        self.terms = terms
        self.fields["amount_sats"].widget.attrs.update(
            min=terms.minimum_sats,
            max=terms.maximum_sats,
            step=1,
            inputmode="numeric",
            autocomplete="off",
            **{"aria-describedby": "amount-help amount-btc amount-error"},
        )
        currency = terms.pricing.currency
        self.fields["amount_fiat"].label = _("Amount in %(currency)s") % {"currency": currency}
        self.fields["amount_fiat"].widget.attrs.update(
            inputmode="decimal",
            autocomplete="off",
            **{"aria-describedby": "amount-help amount-btc amount-error"},
        )
        self.fields["name"].widget.attrs.update(
            maxlength=NAME_MAX_LENGTH,
            autocomplete="nickname",
            placeholder=_("Anonymous"),
        )
        self.fields["message"].widget.attrs.update(
            maxlength=MESSAGE_MAX_LENGTH,
            placeholder=_("Say something nice"),
            **{"aria-describedby": "message-count"},
        )

    def clean_amount_fiat(self) -> FiatAmount | None:
        text = self.cleaned_data["amount_fiat"].strip()
        if not text:
            return None
        currency = self.terms.pricing.currency
        amount = parse_fiat(text, currency)
        if amount is None:
            raise forms.ValidationError(
                _("Enter the amount in %(currency)s, like %(example)s."),
                params={"currency": currency, "example": FiatAmount(Decimal(5), currency)},
            )
        return FiatAmount(amount, currency)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if cleaned.get("amount_fiat") is not None:
            cleaned["amount_sats"] = None
        elif cleaned.get("amount_sats") is None and not {"amount_sats", "amount_fiat"} & set(
            self.errors
        ):
            self.add_error("amount_sats", _("Enter an amount in sats."))
        return cleaned

    def add_refusal(self, refusal: TipRefused) -> None:
        """Show the service's reason next to the field it is about."""
        field = refusal.code.split("_", 1)[0]
        if field == "amount":
            field = "amount_fiat" if self.cleaned_data.get("amount_fiat") else "amount_sats"
        self.add_error(field if field in self.fields else None, refusal.message)


def _split(text: str, pattern: re.Pattern[str]) -> list[str]:
    return [part for part in pattern.split(text.strip()) if part]


class WidgetForm(forms.Form):
    label = forms.CharField(
        label=_("Label"),
        max_length=80,
        help_text=_("For you only, e.g. “Under my YouTube videos”."),
    )
    min_tip_sats = forms.IntegerField(label=_("Minimum tip (sats)"), min_value=1)
    suggested_amounts = forms.CharField(
        label=_("Suggested amounts (sats)"),
        required=False,
        help_text=_("Up to six amounts separated by commas, e.g. 1000, 5000, 21000."),
    )
    theme = forms.ChoiceField(
        label=_("Theme"), choices=WidgetTheme.choices, widget=forms.RadioSelect
    )
    video_id = forms.CharField(
        label=_("Video id or URL"),
        max_length=200,
        required=False,
        help_text=_("Optional: tips made through this widget are counted for this video."),
    )
    allowed_origins = forms.CharField(
        label=_("Sites allowed to show this widget"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3, "spellcheck": "false"}),
        help_text=_(
            "One origin a line, like https://myblog.example or https://*.example.com. "
            "Leave empty to allow any site."
        ),
    )

    def __init__(
        self,
        *args,
        widget: Widget | None = None,
        creator_minimum: int,
        creator_suggestions: list[int] | None = None,
        **kwargs,
    ):
        if widget is not None:
            kwargs.setdefault(
                "initial",
                {
                    "label": widget.label,
                    "min_tip_sats": widget.min_tip_sats,
                    "suggested_amounts": ", ".join(map(str, widget.suggested_amounts)),
                    "theme": widget.theme,
                    "video_id": widget.video_id,
                    "allowed_origins": "\n".join(widget.allowed_origins),
                },
            )
        else:
            kwargs.setdefault(
                "initial", {"min_tip_sats": creator_minimum, "theme": WidgetTheme.LIGHT}
            )
        super().__init__(*args, **kwargs)
        self.fields["min_tip_sats"].widget.attrs["min"] = creator_minimum
        minimum = intcomma(creator_minimum)
        self.fields["min_tip_sats"].help_text = _(
            "The smallest tip viewers can send through this widget. It cannot be lower than "
            "the minimum of your tip page (%(minimum)s sats, in Tip settings), which also "
            "applies here."
        ) % {"minimum": minimum}
        inherited: StrOrPromise
        if creator_suggestions:
            inherited = _(
                "Leave empty to offer the amounts from your Tip settings (%(amounts)s sats)."
            ) % {"amounts": ", ".join(intcomma(amount) for amount in creator_suggestions)}
        else:
            inherited = _(
                "Leave empty to offer 1, 2, 5 and 10 times the minimum (you can set amounts for "
                "all your widgets in Tip settings)."
            )
        self.fields["suggested_amounts"].help_text = " ".join(
            [
                str(_("Up to six amounts separated by commas, e.g. 1000, 5000, 21000.")),
                str(inherited),
                str(_("Amounts below the minimum are not shown.")),
            ]
        )

    def clean_suggested_amounts(self) -> list[int]:
        parts = _split(self.cleaned_data["suggested_amounts"], _LIST_SEPARATORS)
        if not all(_WHOLE_NUMBER.fullmatch(part) for part in parts):
            raise forms.ValidationError(
                _("Write whole numbers of sats separated by commas, e.g. 1000, 5000.")
            )
        return [int(part) for part in parts]

    def clean_allowed_origins(self) -> list[str]:
        return _split(self.cleaned_data["allowed_origins"], _LIST_SEPARATORS)
