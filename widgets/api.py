"""Widget endpoints of the API (API key): list, create, read and update the creator's widgets.

The rules are widgets.services' own, so the API and the dashboard pages agree.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import QuerySet
from django.http import Http404
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import generics, serializers, status
from rest_framework.request import Request
from rest_framework.response import Response

from creators.api import CreatorEndpoint
from widgets import selectors, services
from widgets.models import Widget

EDITABLE = ("label", "min_tip_sats", "suggested_amounts", "theme", "video_id", "allowed_origins")


class WidgetSerializer(serializers.ModelSerializer):
    id = serializers.CharField(source="public_id", read_only=True)
    suggested_amounts = serializers.ListField(
        child=serializers.IntegerField(min_value=1), required=False
    )
    allowed_origins = serializers.ListField(
        child=serializers.CharField(max_length=200), required=False
    )
    is_active = serializers.BooleanField(required=False)

    class Meta:
        model = Widget
        fields = ["id", *EDITABLE, "is_active", "created_at"]
        read_only_fields = ["created_at"]


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
        serializer = WidgetSerializer(widget, data=request.data, partial=kwargs.get("partial"))
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        fields = {field: data.get(field, getattr(widget, field)) for field in EDITABLE}
        widget = _saved(services.widget_update, widget=widget, **fields)
        if data.get("is_active", widget.is_active) != widget.is_active:
            services.widget_set_active(widget=widget, active=data["is_active"])
        return Response(WidgetSerializer(widget).data)
