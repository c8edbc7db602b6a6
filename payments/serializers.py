"""How tips look from outside: in the API and in webhook bodies (one shape for both)."""

from __future__ import annotations

from django.conf import settings
from django.db.models import Model
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from btc.money import format_btc
from chain.models import ChainState
from payments.models import Rail, Tip, TipStatus
from payments.pricing import TodaysRates, fiat_then, parse_fiat
from payments.reports import TipFilters, Totals, confirmations, tip_txids
from payments.selectors import tip_invoice
from web.api import CheckedLaterIntegerField, StrictCharField
from web.currencies import CURRENCIES
from web.fiat import FiatAmount


class FiatAmountSerializer(serializers.Serializer):
    amount = serializers.CharField(help_text=_('An exact decimal figure, e.g. "3.00".'))
    currency = serializers.CharField(help_text=_("Its ISO 4217 code, e.g. EUR."))


class RateSnapshotSerializer(serializers.Serializer):
    currency = serializers.CharField(help_text=_("ISO 4217 code, e.g. EUR."))
    rate = serializers.CharField(help_text=_("The price of one bitcoin, an exact decimal figure."))
    sources = serializers.ListField(
        child=serializers.CharField(), help_text=_("The providers whose median it is.")
    )
    at = serializers.DateTimeField(source="fetched_at", help_text=_("When they gave it."))


class CreatorTipSerializer(serializers.ModelSerializer):
    """A tip as its creator sees it: message even when hidden, address and derivation path."""

    id = serializers.CharField(source="public_id", read_only=True)
    widget: serializers.SlugRelatedField[Model] = serializers.SlugRelatedField(
        slug_field="public_id", read_only=True, allow_null=True
    )
    address = serializers.CharField(
        source="address.address",
        read_only=True,
        allow_null=True,
        help_text=_("The on-chain address; null for a Lightning tip."),
    )
    derivation_path = serializers.CharField(
        source="address.derivation_path", read_only=True, allow_null=True
    )
    payment_hash = serializers.SerializerMethodField(
        help_text=_("The Lightning invoice's payment hash; null for an on-chain tip.")
    )
    bolt11 = serializers.SerializerMethodField(
        help_text=_("The Lightning invoice (BOLT11); null for an on-chain tip.")
    )
    txids = serializers.SerializerMethodField()
    confirmations = serializers.SerializerMethodField()
    rate = RateSnapshotSerializer(
        source="rate_snapshot",
        read_only=True,
        allow_null=True,
        help_text=_(
            "The exchange rate the tip was made at, in your display currency then; null "
            "when no fresh rate existed."
        ),
    )
    value_then = serializers.SerializerMethodField(
        help_text=_(
            "What the tip (received, or requested before any payment) was worth at its rate."
        )
    )
    value_now = serializers.SerializerMethodField(
        help_text=_("What it is worth today in the same currency; null without a fresh rate.")
    )

    class Meta:
        model = Tip
        fields = [
            "id",
            "rail",
            "status",
            "amount_sats",
            "received_sats",
            "confirmed_sats",
            "confirmations",
            "confirmations_required",
            "paid_late",
            "below_minimum",
            "overpaid",
            "name",
            "message",
            "message_hidden",
            "widget",
            "video_id",
            "address",
            "derivation_path",
            "payment_hash",
            "bolt11",
            "txids",
            "created_at",
            "expires_at",
            "first_seen_at",
            "confirmed_at",
            "rate",
            "value_then",
            "value_now",
        ]
        read_only_fields = fields

    def get_payment_hash(self, tip: Tip) -> str | None:
        invoice = tip_invoice(tip)
        return invoice.payment_hash if invoice is not None else None

    def get_bolt11(self, tip: Tip) -> str | None:
        invoice = tip_invoice(tip)
        return invoice.bolt11 if invoice is not None else None

    @extend_schema_field(FiatAmountSerializer(allow_null=True))
    def get_value_then(self, tip: Tip) -> dict[str, str] | None:
        value = fiat_then(tip.value_sats, tip.rate_snapshot)
        return value.as_dict() if value else None

    @extend_schema_field(FiatAmountSerializer(allow_null=True))
    def get_value_now(self, tip: Tip) -> dict[str, str] | None:
        # One read of each currency's rate for a whole page of tips: the list's items
        # share their parent's context.
        context = self.context
        assert isinstance(context, dict)
        today = context.setdefault("todays_rates", TodaysRates())
        value = today.value(tip.value_sats, tip.rate_currency)
        return value.as_dict() if value else None

    def get_txids(self, tip: Tip) -> list[str]:
        """Transactions paying the tip now (replaced or reorganised ones are left out)."""
        return tip_txids(tip)

    def get_confirmations(self, tip: Tip) -> int:
        # The list endpoint reads the height once for the page (payments.api); a lone
        # tip reads it itself.
        if "scanned_height" in self.context:
            return confirmations(tip, self.context["scanned_height"])
        return confirmations(tip, ChainState.load().height)


class PublicTipSerializer(serializers.Serializer):
    """A tip's live status, as the viewer's payment screen shows it: nothing private."""

    id = serializers.CharField()
    rail = serializers.ChoiceField(choices=Rail.choices)
    status = serializers.ChoiceField(choices=TipStatus.choices)
    amount_sats = serializers.IntegerField()
    received_sats = serializers.IntegerField()
    confirmed_sats = serializers.IntegerField()
    confirmations = serializers.IntegerField()
    confirmations_required = serializers.IntegerField()
    paid_late = serializers.BooleanField()
    below_minimum = serializers.BooleanField()
    overpaid = serializers.BooleanField()
    address = serializers.CharField(help_text=_("The on-chain address; empty for Lightning."))
    bolt11 = serializers.CharField(help_text=_("The Lightning invoice; empty on-chain."))
    payment_uri = serializers.CharField(
        help_text=_("A BIP21 URI for wallets, or lightning:<invoice> for a Lightning tip.")
    )
    expires_at = serializers.DateTimeField()
    url = serializers.URLField(help_text=_("The tip's payment page."))
    amount_fiat = FiatAmountSerializer(
        allow_null=True,
        help_text=_(
            "amount_sats in the creator's display currency at the rate the tip was made at; "
            "null when no fresh rate existed."
        ),
    )


# Not a maxLength: the limit counts what is left once the text is cleaned.
TEXT_LIMIT = _(
    "At most {max} characters, once surrounding spaces and control characters are removed."
)


class TipCreateSerializer(serializers.Serializer):
    """A viewer's tip, for a widget or for a creator's handle: exactly one of the two."""

    # Each group: exactly one of its alternatives, each a set of fields given together
    # (also a oneOf in the schema, bitcache.api_schema).
    exactly_one_of = (
        (("widget",), ("handle",)),
        (("amount_sats",), ("amount", "currency")),
    )

    widget = StrictCharField(required=False, max_length=32, help_text=_("A widget's id."))
    handle = StrictCharField(
        required=False, max_length=30, help_text=_("A creator's handle, without the @.")
    )
    # Limits checked by tip_create, the tip page's rules, so its refusal codes
    # (amount_below_minimum, amount_too_large, name_too_long...) are the API's too.
    amount_sats = CheckedLaterIntegerField(
        required=False,
        minimum=1,
        maximum=settings.BITCACHE_MAX_TIP_SATS,
        help_text=_(
            "At least the creator's minimum tip, or the widget's if it is higher. Or give "
            "amount and currency instead."
        ),
    )
    amount = StrictCharField(
        required=False,
        max_length=30,
        help_text=_(
            'A fiat amount as a decimal string, e.g. "5.00", with currency instead of '
            "amount_sats: converted to sats at the current rate, refused when none is fresh."
        ),
    )
    currency = serializers.ChoiceField(
        choices=list(CURRENCIES),
        required=False,
        help_text=_("The ISO 4217 code of amount, e.g. EUR."),
    )
    name = StrictCharField(
        required=False,
        allow_blank=True,
        trim_whitespace=False,
        help_text=format_lazy(TEXT_LIMIT, max=Tip._meta.get_field("name").max_length),
    )
    message = StrictCharField(
        required=False,
        allow_blank=True,
        trim_whitespace=False,
        help_text=format_lazy(TEXT_LIMIT, max=Tip._meta.get_field("message").max_length),
    )
    name_public = serializers.BooleanField(
        required=False,
        default=False,
        help_text=_(
            "The viewer lets their name appear publicly (stream overlays, supporter lists). "
            "Default: no."
        ),
    )

    def validate(self, data: dict) -> dict:
        widget_or_handle, amounts = (
            sum(all(name in data for name in fields) for fields in group)
            for group in self.exactly_one_of
        )
        if widget_or_handle != 1:
            raise serializers.ValidationError(_("Give either a widget or a handle."))
        # amount_sats with only part of the other pair is unclear too.
        if amounts != 1 or ("amount_sats" in data and ("amount" in data or "currency" in data)):
            raise serializers.ValidationError(_("Give either amount_sats, or amount and currency."))
        if "amount" in data:
            amount = parse_fiat(data["amount"], data["currency"])
            if amount is None:
                raise serializers.ValidationError(
                    {"amount": _("A positive decimal figure within the currency's digits.")}
                )
            data["amount_fiat"] = FiatAmount(amount, data["currency"])
        return data


class TipFilterSerializer(serializers.Serializer):
    """The tip list's filters, from web.api.query_data: a filter given empty is refused."""

    status = serializers.ChoiceField(choices=TipStatus.choices, required=False)
    widget = StrictCharField(required=False, max_length=32, help_text=_("A widget's id."))
    since = serializers.DateField(required=False, help_text=_("Made on or after this day (UTC)."))
    until = serializers.DateField(required=False, help_text=_("Made on or before this day (UTC)."))
    search = StrictCharField(
        required=False, max_length=100, help_text=_("Words in the tip's name or message.")
    )

    def filters(self) -> TipFilters:
        return TipFilters(**self.validated_data)


class TotalsSerializer(serializers.Serializer):
    count = serializers.IntegerField()
    sats = serializers.IntegerField()
    btc = serializers.SerializerMethodField()

    def get_btc(self, totals: Totals) -> str:
        return format_btc(totals.sats)


class OverviewSerializer(serializers.Serializer):
    confirmed = TotalsSerializer(help_text=_("All confirmed tips."))
    today = TotalsSerializer(help_text=_("Confirmed tips made today (UTC)."))
    this_month = TotalsSerializer(help_text=_("Confirmed tips made this month (UTC)."))
    confirming = TotalsSerializer(help_text=_("Tips seen on the chain, not yet confirmed."))
