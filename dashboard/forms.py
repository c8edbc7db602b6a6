"""Forms of the tip dashboard: they parse input; the services decide."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from creators.services import MAX_CONFIRMATIONS
from payments.models import TipStatus
from payments.reports import TipFilters
from web.fiat import currency_choices
from webhooks.models import WebhookEvent
from widgets.forms import WidgetForm
from widgets.models import Widget


class TipFilterForm(forms.Form):
    """Filters of the tip list and its CSV export (a GET form: invalid fields are ignored)."""

    q = forms.CharField(label=_("Search names and messages"), required=False, max_length=100)
    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=[("", _("Any status")), *TipStatus.choices]
    )
    widget = forms.ChoiceField(label=_("Widget"), required=False)
    since = forms.DateField(
        label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    until = forms.DateField(
        label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, *args: Any, widgets: list[Widget], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        widget_field = self.fields["widget"]
        assert isinstance(widget_field, forms.ChoiceField)
        widget_field.choices = [
            ("", _("Any widget")),
            *((widget.public_id, widget.label) for widget in widgets),
        ]

    def filters(self) -> TipFilters:
        self.is_valid()
        data = self.cleaned_data
        return TipFilters(
            status=data.get("status", ""),
            widget=data.get("widget", ""),
            since=data.get("since"),
            until=data.get("until"),
            search=data.get("q", "").strip(),
        )


class TipSettingsForm(forms.Form):
    display_currency = forms.ChoiceField(
        label=_("Display currency"),
        help_text=_(
            "Viewers see amounts in this currency beside sats, and you may set your minimum "
            "and suggested amounts in it. Tips are always paid in bitcoin."
        ),
    )
    min_tip_sats = forms.IntegerField(
        label=_("Minimum tip (sats)"),
        min_value=1,
        help_text=_(
            "With a minimum in your currency too, this stays the floor, and the minimum "
            "whenever the exchange rate is unavailable."
        ),
    )
    min_tip_fiat = forms.DecimalField(
        label=_("Minimum tip (in your display currency)"),
        required=False,
        min_value=Decimal("0.001"),
        max_digits=14,
        decimal_places=3,
        help_text=_(
            "Optional. Converted to sats at the exchange rate of the moment each tip is made."
        ),
    )
    onchain_min_sats = forms.IntegerField(
        label=_("On-chain minimum (sats)"),
        min_value=1,
        help_text=_(
            "With a Lightning wallet connected, smaller tips are offered over Lightning only: "
            "on-chain, a tip that small costs the viewer a fee of the same order and leaves "
            "you dust. From this amount up, viewers get one QR code for both."
        ),
    )
    # The same field, parsed the same way, as a widget's suggested amounts.
    suggested_amounts = WidgetForm.base_fields["suggested_amounts"]
    clean_suggested_amounts = WidgetForm.clean_suggested_amounts
    suggested_fiat = forms.CharField(
        label=_("Suggested amounts (in your display currency)"),
        required=False,
        help_text=_(
            "Optional, up to six amounts separated by spaces, e.g. 2 5 10.50. While an "
            "exchange rate is available viewers are offered these instead of the amounts in sats."
        ),
    )
    confirmations_required = forms.IntegerField(
        label=_("Confirmations required"),
        min_value=1,
        max_value=MAX_CONFIRMATIONS,
        help_text=_(
            "A tip counts as confirmed after this many blocks. Applies to tips made from now on."
        ),
    )
    thank_you_message = forms.CharField(
        label=_("Thank-you message"),
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Shown to viewers once their tip is paid."),
    )
    notify_on_confirmed_tip = forms.BooleanField(
        label=_("Email me when a tip is confirmed"), required=False
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        currency = self.fields["display_currency"]
        assert isinstance(currency, forms.ChoiceField)
        currency.choices = currency_choices()

    def clean_suggested_fiat(self) -> list[Decimal]:
        amounts = []
        for part in self.cleaned_data["suggested_fiat"].replace(";", " ").split():
            try:
                amounts.append(Decimal(part.replace(",", ".")))
            except InvalidOperation:
                raise forms.ValidationError(
                    _("Write amounts separated by spaces, e.g. 2 5 10.50.")
                ) from None
        return amounts


class ApiKeyForm(forms.Form):
    name = forms.CharField(
        label=_("Name"),
        max_length=80,
        help_text=_("What uses this key, e.g. “stream overlay”."),
    )


class WebhookEndpointForm(forms.Form):
    url = forms.URLField(label=_("URL"), max_length=500, assume_scheme="https")
    events = forms.MultipleChoiceField(
        label=_("Events"), choices=WebhookEvent.choices, widget=forms.CheckboxSelectMultiple
    )
    description = forms.CharField(label=_("Description"), required=False, max_length=80)


class LightningConnectForm(forms.Form):
    """What the creator pastes to connect a wallet. A connection URI holds a secret: it is
    typed into a password field and never rendered back, not even after an error."""

    text = forms.CharField(
        label=_("Connection"),
        max_length=2000,
        widget=forms.PasswordInput(
            render_value=False,
            attrs={"autocomplete": "off", "spellcheck": "false", "autocapitalize": "off"},
        ),
        help_text=_(
            "A Nostr Wallet Connect URI (nostr+walletconnect://…) made for receiving only, "
            "or your Lightning Address (name@wallet.example)."
        ),
    )
