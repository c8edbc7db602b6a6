"""Widget and public tip endpoints of the API.

Public: create a tip for a widget or a handle, under the same rules and rate limits
as the tip page, and read a tip's live status. Creator (API key): list, create, read
and update the creator's widgets, under widgets.services' rules, so the API and the
dashboard pages agree.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import QuerySet
from django.http import Http404
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import generics, serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from creators.api import CreatorEndpoint
from creators.selectors import creator_get_by_handle
from creators.services import MAX_SUGGESTIONS
from payments.api import check_rate, refusal_error
from payments.models import Tip
from payments.pricing import fiat_then
from payments.selectors import tip_get_public, tip_public_status
from payments.serializers import PublicTipSerializer, TipCreateSerializer
from payments.services import TipRefused, tip_create, tip_watched
from payments.throttle import client_fingerprint
from web.api import (
    StrictBooleanField,
    StrictCharField,
    StrictIntegerField,
    StrictModelSerializer,
)
from widgets import selectors, services
from widgets.models import Widget
from widgets.origins import MAX_ORIGINS

EDITABLE = ("label", "min_tip_sats", "suggested_amounts", "theme", "video_id", "allowed_origins")


class WidgetSerializer(StrictModelSerializer):
    """A widget. Rules that depend on other values (your own minimum, this widget's
    minimum) are checked by widgets.services and stated in the fields' descriptions."""

    id = serializers.CharField(source="public_id", read_only=True)
    suggested_amounts = serializers.ListField(
        child=StrictIntegerField(min_value=1, max_value=settings.BITCACHE_MAX_TIP_SATS),
        max_length=MAX_SUGGESTIONS,
        required=False,
        help_text=_("Amounts offered to viewers, each at least this widget's minimum."),
    )
    allowed_origins = serializers.ListField(
        child=StrictCharField(max_length=200),
        max_length=MAX_ORIGINS,
        required=False,
        help_text=_(
            "Sites allowed to show the widget, as origins like https://myblog.example; "
            "empty for any site."
        ),
    )
    is_active = StrictBooleanField(
        required=False, help_text=_("false disables the widget: its embeds show 404.")
    )

    class Meta:
        model = Widget
        fields = ["id", *EDITABLE, "is_active", "created_at"]
        read_only_fields = ["created_at"]
        extra_kwargs = {
            "min_tip_sats": {
                "help_text": _(
                    "At least your own minimum tip (your tip settings, which apply to "
                    "every widget)."
                )
            }
        }


def _saved(save: Callable[..., Widget], **kwargs: Any) -> Widget:
    """Run a widgets service; its refusals become the API's validation errors."""
    try:
        return save(**kwargs)
    except DjangoValidationError as error:
        raise serializers.ValidationError(error.message_dict) from None


@extend_schema_view(
    get=extend_schema(operation_id="creator_widgets_list", summary="Your widgets"),
    post=extend_schema(operation_id="creator_widget_create", summary="Create a widget"),
)
@extend_schema(tags=["Creator"])
class CreatorWidgetsApi(CreatorEndpoint, generics.ListCreateAPIView):
    serializer_class = WidgetSerializer

    def get_queryset(self) -> QuerySet[Widget]:
        return selectors.widgets_of(self.creator)

    def create(self, request: Request, *args, **kwargs) -> Response:
        serializer = WidgetSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        active = data.pop("is_active", True)
        widget = _saved(services.widget_create, creator=self.creator, **data)
        if not active:
            services.widget_set_active(widget=widget, active=False)
        return Response(WidgetSerializer(widget).data, status=status.HTTP_201_CREATED)


@extend_schema_view(
    get=extend_schema(operation_id="creator_widget", summary="One of your widgets"),
    put=extend_schema(operation_id="creator_widget_replace", summary="Change a widget"),
    patch=extend_schema(operation_id="creator_widget_update", summary="Change some fields"),
)
@extend_schema(tags=["Creator"])
class CreatorWidgetApi(CreatorEndpoint, generics.RetrieveUpdateAPIView):
    serializer_class = WidgetSerializer

    def get_object(self) -> Widget:
        widget = selectors.widget_get_owned(self.creator, self.kwargs["widget_id"])
        if widget is None:
            raise Http404
        return widget

    def update(self, request: Request, *args, **kwargs) -> Response:
        widget = self.get_object()
        serializer = WidgetSerializer(
            widget, data=request.data, partial=kwargs.get("partial", False)
        )
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        fields = {field: data.get(field, getattr(widget, field)) for field in EDITABLE}
        widget = _saved(services.widget_update, widget=widget, **fields)
        if data.get("is_active", widget.is_active) != widget.is_active:
            services.widget_set_active(widget=widget, active=data["is_active"])
        return Response(WidgetSerializer(widget).data)


# --- Public: tips -------------------------------------------------------------


def _public_status(request: Request, tip: Tip) -> dict:
    url = request.build_absolute_uri(reverse("widgets:tip", args=[tip.public_id]))
    fiat = fiat_then(tip.amount_sats, tip.rate_snapshot)
    return PublicTipSerializer(
        {**tip_public_status(tip), "url": url, "amount_fiat": fiat.as_dict() if fiat else None}
    ).data


class TipCreateApi(APIView):
    error_statuses = (400, 403, 404, 429)

    @extend_schema(
        operation_id="tip_create",
        request=TipCreateSerializer,
        responses={201: PublicTipSerializer},
        summary="Create a tip",
        description="For a widget or a creator's handle. Rate-limited like the tip page.",
        tags=["Public"],
    )
    def post(self, request: Request) -> Response:
        serializer = TipCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        widget = None
        if "widget" in data:
            widget = selectors.widget_get_public(data["widget"])
            creator = widget.creator if widget is not None else None
        else:
            creator = creator_get_by_handle(data["handle"])
        if creator is None:
            raise Http404
        check_rate(request, creator)
        try:
            tip = tip_create(
                creator=creator,
                widget=widget,
                amount_sats=data.get("amount_sats"),
                amount_fiat=data.get("amount_fiat"),
                name=data.get("name", ""),
                name_public=data.get("name_public", False),
                message=data.get("message", ""),
                client=client_fingerprint(request),
            )
        except TipRefused as refusal:
            raise refusal_error(refusal) from None
        return Response(_public_status(request, tip), status=status.HTTP_201_CREATED)


class TipStatusApi(APIView):
    error_statuses = (404,)

    @extend_schema(
        operation_id="tip_status",
        responses=PublicTipSerializer,
        summary="A tip's live status",
        tags=["Public"],
    )
    def get(self, request: Request, tip_id: str) -> Response:
        tip = tip_get_public(tip_id)
        if tip is None:
            raise Http404
        tip_watched(tip=tip)
        return Response(_public_status(request, tip))
