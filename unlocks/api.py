"""Paid unlock endpoints of the API.

Public: open a purchase of an item (same rules and rate limits as its page) and
read its live status, which holds the access link and receipt code once paid and
never the sold link. Creator (API key): list and read their items with their sales,
and change an item's price (in sats, in their display currency, or both).
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import generics, serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from creators.api import CreatorEndpoint
from payments.api import check_rate, refusal_error
from payments.models import Tip
from payments.pricing import parse_fiat
from payments.serializers import FiatAmountSerializer, PublicTipSerializer
from payments.services import TipRefused, tip_watched
from payments.throttle import client_fingerprint
from rates.money import minor_unit
from unlocks import selectors
from unlocks.models import UnlockItem
from unlocks.services import item_update, purchase_create
from unlocks.views import private
from web.api import StrictCharField, StrictIntegerField
from web.fiat import FiatAmount
from web.pages import site_origin


class PurchaseSerializer(PublicTipSerializer):
    """A purchase's live status: the payment's, what is missing, then the access."""

    price_sats = serializers.IntegerField()
    missing_sats = serializers.IntegerField(
        help_text=_("Still to send to the same address (a top-up after an underpayment).")
    )
    underpaid = serializers.BooleanField()
    unlocked = serializers.BooleanField()
    access_url = serializers.CharField(
        allow_blank=True,
        help_text=_("Once paid: a signed, expiring link that redirects to what was bought."),
    )
    receipt_code = serializers.CharField(
        allow_blank=True, help_text=_("Once paid: gets a fresh access link at /unlock/recover.")
    )
    url = serializers.URLField(help_text=_("The purchase's payment page."))


class CreatorItemSerializer(serializers.ModelSerializer):
    id = serializers.CharField(source="public_id", read_only=True)
    cover = serializers.ImageField(read_only=True, use_url=True)
    sales = serializers.IntegerField(read_only=True)
    revenue_sats = serializers.IntegerField(
        read_only=True, help_text=_("Confirmed sats paid for the item.")
    )
    url = serializers.SerializerMethodField(help_text=_("The item's public page."))
    price_fiat = serializers.SerializerMethodField(
        help_text=_(
            "The price in your display currency, converted to sats when a purchase starts; "
            "price_sats applies while no fresh rate exists. null: a price in sats only."
        )
    )

    class Meta:
        model = UnlockItem
        fields = [
            "id",
            "title",
            "description",
            "price_sats",
            "price_fiat",
            "target_url",
            "cover",
            "sales_limit",
            "allow_zero_conf",
            "link_ttl_days",
            "is_active",
            "created_at",
            "sales",
            "revenue_sats",
            "url",
        ]
        read_only_fields = fields

    @extend_schema_field(FiatAmountSerializer(allow_null=True))
    def get_price_fiat(self, item: UnlockItem) -> dict[str, str] | None:
        if item.price_fiat is None:
            return None
        # Stored to the tenth of a minor unit (dinars have three places): shown as typed.
        amount = item.price_fiat.quantize(minor_unit(item.creator.display_currency))
        return FiatAmount(amount, item.creator.display_currency).as_dict()

    def get_url(self, item: UnlockItem) -> str:
        path = reverse("unlocks:item", args=[item.creator.handle, item.public_id])
        return self.context["request"].build_absolute_uri(path)


class FiatPriceSerializer(serializers.Serializer):
    amount = StrictCharField(max_length=30, help_text=_('A decimal string, e.g. "5.00".'))
    currency = StrictCharField(max_length=3, help_text=_("Your display currency's ISO code."))


class ItemPriceSerializer(serializers.Serializer):
    """A new price for an item: in sats, in the creator's display currency, or both
    (`price_fiat: null` removes the fiat price)."""

    price_sats = StrictIntegerField(
        required=False,
        min_value=1,
        max_value=settings.BITCACHE_MAX_TIP_SATS,
        help_text=_("The price in sats: the price while no fresh rate exists."),
    )
    price_fiat = FiatPriceSerializer(
        required=False,
        allow_null=True,
        help_text=_(
            'In your display currency, as the tip API takes amounts: {"amount": "5.00", '
            '"currency": "EUR"}; null for a price in sats only.'
        ),
    )

    def validate_price_fiat(self, value: dict[str, Any] | None) -> Any:
        if value is None:
            return None
        currency = self.context["currency"]
        if value["currency"].upper() != currency:
            raise serializers.ValidationError(
                _("Give the price in your display currency, %(currency)s.") % {"currency": currency}
            )
        amount = parse_fiat(value["amount"], currency)
        if amount is None:
            raise serializers.ValidationError(
                {"amount": _("A positive decimal figure within the currency's digits.")}
            )
        return amount

    def validate(self, data: dict[str, Any]) -> dict[str, Any]:
        if not data:
            raise serializers.ValidationError(_("Give price_sats, price_fiat or both."))
        return data


def _purchase_status(request: Request, purchase: Tip) -> dict:
    url = request.build_absolute_uri(reverse("unlocks:purchase", args=[purchase.public_id]))
    state = selectors.purchase_viewer_state(purchase, site=site_origin(request))
    return PurchaseSerializer({**state, "url": url}).data


class PurchaseCreateApi(APIView):
    error_statuses = (403, 404, 409, 429)

    @extend_schema(
        operation_id="unlock_purchase_create",
        request=None,
        responses={201: PurchaseSerializer},
        summary="Buy an item",
        description="Opens a purchase at the item's price on a fresh address. "
        "Rate-limited like the item's page.",
        tags=["Public"],
    )
    def post(self, request: Request, item_id: str) -> Response:
        item = selectors.item_get_public(item_id)
        if item is None:
            raise Http404
        check_rate(request, item.creator)
        try:
            purchase = purchase_create(item=item, client=client_fingerprint(request))
        except TipRefused as refusal:
            raise refusal_error(refusal) from None
        return Response(_purchase_status(request, purchase), status=status.HTTP_201_CREATED)


class PurchaseStatusApi(APIView):
    error_statuses = (404,)

    @extend_schema(
        operation_id="unlock_purchase_status",
        responses=PurchaseSerializer,
        summary="A purchase's live status",
        tags=["Public"],
    )
    def get(self, request: Request, purchase_id: str) -> Response:
        purchase = selectors.purchase_get_public(purchase_id)
        if purchase is None:
            raise Http404
        tip_watched(tip=purchase)
        return private(Response(_purchase_status(request, purchase)))


class CreatorItemsApi(CreatorEndpoint, generics.ListAPIView):
    serializer_class = CreatorItemSerializer

    @extend_schema(
        operation_id="creator_unlocks_list",
        summary="Your paid unlock items, with sales",
        tags=["Creator"],
    )
    def get(self, request: Request, *args, **kwargs) -> Response:
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        return selectors.items_of(self.creator).select_related("creator")


class CreatorItemApi(CreatorEndpoint, generics.RetrieveAPIView):
    serializer_class = CreatorItemSerializer

    @extend_schema(
        operation_id="creator_unlock", summary="One of your paid unlock items", tags=["Creator"]
    )
    def get(self, request: Request, *args, **kwargs) -> Response:
        return super().get(request, *args, **kwargs)

    @extend_schema(
        operation_id="creator_unlock_price",
        request=ItemPriceSerializer,
        responses=CreatorItemSerializer,
        summary="Change an item's price",
        description="Purchases already made keep the price they were made at.",
        tags=["Creator"],
    )
    def patch(self, request: Request, *args, **kwargs) -> Response:
        item = self.get_object()
        currency = self.creator.display_currency
        serializer = ItemPriceSerializer(data=request.data, context={"currency": currency})
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        try:
            item = item_update(
                item=item,
                title=item.title,
                description=item.description,
                price_sats=data.get("price_sats", item.price_sats),
                price_fiat=data.get("price_fiat", item.price_fiat),
                target_url=item.target_url,
                cover=item.cover or None,
                sales_limit=item.sales_limit,
                allow_zero_conf=item.allow_zero_conf,
                link_ttl_days=item.link_ttl_days,
            )
        except DjangoValidationError as error:
            raise serializers.ValidationError(error.message_dict) from None
        return Response(self.get_serializer(self.get_object()).data)  # with its sales

    def get_object(self) -> UnlockItem:
        item = selectors.item_get_owned(self.creator, self.kwargs["item_id"])
        if item is None:
            raise Http404
        return item
