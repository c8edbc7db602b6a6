"""Tip endpoints of the API for creators (API key): list and read their tips, and their totals.

Also the one mapping from a refused tip to an API error, and the tip pages' rate limit,
shared by every API that opens a tip or a purchase (widgets.api, unlocks.api).
"""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import Http404
from drf_spectacular.utils import extend_schema
from rest_framework import generics
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from chain.models import ChainState
from creators.api import CreatorEndpoint
from creators.models import Creator
from payments import reports
from payments.models import Tip
from payments.serializers import (
    CreatorTipSerializer,
    OverviewSerializer,
    TipFilterSerializer,
)
from payments.services import TipRefused
from payments.throttle import SLOW_DOWN, too_fast
from web.api import ApiError, NewestFirstPagination, query_data
from web.ratelimit import retry_after

# A refusal's code names the field it is about ("amount_below_minimum" -> amount_sats).
_REFUSAL_FIELDS = {"amount": "amount_sats", "name": "name", "message": "message"}
# Every refusal of tip_create (and of unlock purchases, which go through it): the rest are 400.
_REFUSAL_STATUS = {"not_accepting": 403, "not_on_sale": 404, "sold_out": 409, "busy": 429}


def refusal_error(refusal: TipRefused) -> ApiError:
    """The API's answer to a refused tip or purchase."""
    field = _REFUSAL_FIELDS.get(refusal.code.split("_", 1)[0])
    return ApiError(
        status=_REFUSAL_STATUS.get(refusal.code, 400),
        code=refusal.code,
        message=refusal.message,
        fields={field: [refusal.message]} if field else None,
        retry_after=(refusal.retry_after() or retry_after()) if refusal.code == "busy" else None,
    )


def check_rate(request: Request, creator: Creator) -> None:
    """The tip pages' rate limits, shared by every API that opens a tip or purchase."""
    if too_fast(request, creator):
        raise ApiError(
            status=429, code="rate_limited", message=str(SLOW_DOWN), retry_after=retry_after()
        )


class CreatorTipsApi(CreatorEndpoint, generics.ListAPIView):
    serializer_class = CreatorTipSerializer
    pagination_class = NewestFirstPagination

    @extend_schema(
        operation_id="creator_tips_list",
        parameters=[TipFilterSerializer],
        summary="Your tips, newest first",
        tags=["Creator"],
    )
    def get(self, request: Request, *args, **kwargs) -> Response:
        return super().get(request, *args, **kwargs)

    def get_queryset(self) -> QuerySet[Tip]:
        filters = TipFilterSerializer(data=query_data(self.request))
        filters.is_valid(raise_exception=True)
        return reports.tips_of(creator=self.creator, filters=filters.filters())

    def get_serializer_context(self) -> dict:
        return {**super().get_serializer_context(), "scanned_height": ChainState.load().height}


class CreatorTipApi(CreatorEndpoint, APIView):
    @extend_schema(
        operation_id="creator_tip",
        responses=CreatorTipSerializer,
        summary="One of your tips",
        tags=["Creator"],
    )
    def get(self, request: Request, tip_id: str) -> Response:
        tip = reports.tip_of(creator=self.creator, public_id=tip_id)
        if tip is None:
            raise Http404
        return Response(CreatorTipSerializer(tip).data)


class CreatorTotalsApi(CreatorEndpoint, APIView):
    @extend_schema(
        operation_id="creator_totals",
        responses=OverviewSerializer,
        summary="Your totals",
        tags=["Creator"],
    )
    def get(self, request: Request) -> Response:
        return Response(OverviewSerializer(reports.tips_overview(creator=self.creator)).data)
