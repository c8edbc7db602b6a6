"""CSV exports in the API for creators (API key): start one, watch it, download its file.

The same exports as the dashboard's (dashboard.services), scoped to the key's creator."""

from __future__ import annotations

from django.http import Http404
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response

from creators.api import CreatorEndpoint
from dashboard import selectors, services
from dashboard.exports import download_response
from dashboard.models import ExportStatus, TipExport
from payments.serializers import TipFilterSerializer
from web.api import ApiError


class TipExportSerializer(serializers.ModelSerializer):
    id = serializers.CharField(source="public_id", read_only=True)
    status = serializers.ChoiceField(choices=ExportStatus.choices, read_only=True)
    progress = serializers.IntegerField(
        source="percent", read_only=True, help_text=_("Percent of the rows written, 0 to 100.")
    )
    total = serializers.IntegerField(
        read_only=True,
        allow_null=True,
        help_text=_("Tips to write, counted when the export starts (null before)."),
    )
    error = serializers.CharField(read_only=True, help_text=_("Why it failed; empty otherwise."))
    download_url = serializers.SerializerMethodField(
        help_text=_("The CSV file, once done and until it expires; null otherwise.")
    )

    class Meta:
        model = TipExport
        fields = [
            "id",
            "status",
            "progress",
            "rows_written",
            "total",
            "error",
            "created_at",
            "finished_at",
            "expires_at",
            "download_url",
        ]
        read_only_fields = fields

    def get_download_url(self, export: TipExport) -> str | None:
        if export.status != ExportStatus.DONE or selectors.tip_export_expired(
            export, now=timezone.now()
        ):
            return None
        path = reverse("api:v1:creator_export_file", args=[export.public_id])
        return self.context["request"].build_absolute_uri(path)


def _export_or_404(endpoint: CreatorEndpoint, export_id: str) -> TipExport:
    export = selectors.tip_export_of(creator=endpoint.creator, public_id=export_id)
    if export is None:
        raise Http404
    return export


class CreatorExportsApi(CreatorEndpoint):
    @extend_schema(
        operation_id="creator_export_create",
        request=TipFilterSerializer,
        responses={201: TipExportSerializer},
        summary="Export your tips as CSV",
        description=(
            "Starts an export of your tips matching the filters (those of the tip list), "
            "written in the background. Read it back until its status is `done`, then "
            "download the file from `download_url`."
        ),
        tags=["Creator"],
    )
    def post(self, request: Request) -> Response:
        filters = TipFilterSerializer(data=request.data)
        filters.is_valid(raise_exception=True)
        export = services.tip_export_start(creator=self.creator, filters=filters.filters())
        body = TipExportSerializer(export, context={"request": request}).data
        return Response(body, status=status.HTTP_201_CREATED)


class CreatorExportApi(CreatorEndpoint):
    @extend_schema(
        operation_id="creator_export",
        responses=TipExportSerializer,
        summary="One of your CSV exports: status, progress, download URL",
        tags=["Creator"],
    )
    def get(self, request: Request, export_id: str) -> Response:
        export = _export_or_404(self, export_id)
        return Response(TipExportSerializer(export, context={"request": request}).data)


class CreatorExportFileApi(CreatorEndpoint):
    error_statuses = (401, 404, 409, 410)

    @extend_schema(
        operation_id="creator_export_file",
        responses={
            (200, "text/csv"): OpenApiResponse(OpenApiTypes.BINARY, description="The CSV file.")
        },
        summary="Download a finished CSV export",
        description="409 while it is being written (or if it failed), 410 once it has expired.",
        tags=["Creator"],
    )
    def get(self, request: Request, export_id: str) -> object:
        export = _export_or_404(self, export_id)
        if selectors.tip_export_expired(export, now=timezone.now()):
            raise ApiError(status=410, code="expired", message=str(_("This export has expired.")))
        if export.status != ExportStatus.DONE:
            raise ApiError(
                status=409, code="not_ready", message=str(_("This export has no file yet."))
            )
        return download_response(export)
