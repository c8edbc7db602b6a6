"""How tips look from outside: in the API and in webhook bodies (one shape for both)."""

from __future__ import annotations

from django.db.models import Model
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from btc.money import format_btc
from chain.models import ChainState
from payments.models import Tip, TipStatus
from payments.reports import TipFilters, Totals, confirmations, tip_txids


class CreatorTipSerializer(serializers.ModelSerializer):
    """A tip as its creator sees it: message even when hidden, address and derivation path."""

    id = serializers.CharField(source="public_id", read_only=True)
    widget: serializers.SlugRelatedField[Model] = serializers.SlugRelatedField(
        slug_field="public_id", read_only=True, allow_null=True
    )
    address = serializers.CharField(source="address.address", read_only=True)
    derivation_path = serializers.CharField(source="address.derivation_path", read_only=True)
    txids = serializers.SerializerMethodField()
    confirmations = serializers.SerializerMethodField()

    class Meta:
        model = Tip
        fields = [
            "id",
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
            "txids",
            "created_at",
            "expires_at",
            "first_seen_at",
            "confirmed_at",
        ]
        read_only_fields = fields

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
    status = serializers.ChoiceField(choices=TipStatus.choices)
    amount_sats = serializers.IntegerField()
    received_sats = serializers.IntegerField()
    confirmed_sats = serializers.IntegerField()
    confirmations = serializers.IntegerField()
    confirmations_required = serializers.IntegerField()
    paid_late = serializers.BooleanField()
    below_minimum = serializers.BooleanField()
    overpaid = serializers.BooleanField()
    address = serializers.CharField()
    payment_uri = serializers.CharField(help_text=_("A BIP21 URI for wallets."))
    expires_at = serializers.DateTimeField()
    url = serializers.URLField(help_text=_("The tip's payment page."))


class TipCreateSerializer(serializers.Serializer):
    """A viewer's tip, for a widget or for a creator's handle (one of the two)."""

    widget = serializers.CharField(required=False, max_length=32, help_text=_("A widget's id."))
    handle = serializers.CharField(
        required=False, max_length=30, help_text=_("A creator's handle, without the @.")
    )
    amount_sats = serializers.IntegerField(min_value=0)
    # Lengths and characters are checked by the same rules as the tip page's (tip_create).
    name = serializers.CharField(required=False, allow_blank=True, trim_whitespace=False)
    message = serializers.CharField(required=False, allow_blank=True, trim_whitespace=False)

    def validate(self, data: dict) -> dict:
        if ("widget" in data) == ("handle" in data):
            raise serializers.ValidationError(_("Give either a widget or a handle."))
        return data


class TipFilterSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=TipStatus.choices, required=False)
    widget = serializers.CharField(required=False, max_length=32, help_text=_("A widget's id."))
    since = serializers.DateField(required=False, help_text=_("Made on or after this day (UTC)."))
    until = serializers.DateField(required=False, help_text=_("Made on or before this day (UTC)."))
    search = serializers.CharField(
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
