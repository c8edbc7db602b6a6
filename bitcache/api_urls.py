"""The API's URLs: /api/v1/ (versioned), its OpenAPI schema and browsable docs.

Creator endpoints sit under /api/v1/creator/ and act on the API key's creator only.
"""

from __future__ import annotations

from django.urls import include, path, re_path
from drf_spectacular.utils import extend_schema
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework import exceptions
from rest_framework.decorators import api_view
from rest_framework.request import Request
from rest_framework.response import Response

from dashboard import api as exports
from payments import api as tips
from unlocks import api as unlocks
from widgets import api as widgets


class ApiDocsView(SpectacularSwaggerSplitView):
    # Swagger UI's page without its inline <style>, which our CSP (style-src 'self') refuses.
    template_name = "api/swagger_ui.html"


@extend_schema(exclude=True)
@api_view(["GET", "POST", "PUT", "PATCH", "DELETE"])
def not_found(request: Request) -> Response:
    """Any other URL under /api/: a 404 in the API's error format, not an HTML page."""
    raise exceptions.NotFound


v1 = [
    path("tips/", widgets.TipCreateApi.as_view(), name="tip_create"),
    path("tips/<str:tip_id>/", widgets.TipStatusApi.as_view(), name="tip_status"),
    path(
        "unlocks/<str:item_id>/purchases/",
        unlocks.PurchaseCreateApi.as_view(),
        name="unlock_purchase_create",
    ),
    path(
        "purchases/<str:purchase_id>/",
        unlocks.PurchaseStatusApi.as_view(),
        name="unlock_purchase_status",
    ),
    path("creator/tips/", tips.CreatorTipsApi.as_view(), name="creator_tips"),
    path("creator/tips/<str:tip_id>/", tips.CreatorTipApi.as_view(), name="creator_tip"),
    path("creator/totals/", tips.CreatorTotalsApi.as_view(), name="creator_totals"),
    path("creator/exports/", exports.CreatorExportsApi.as_view(), name="creator_exports"),
    path(
        "creator/exports/<str:export_id>/",
        exports.CreatorExportApi.as_view(),
        name="creator_export",
    ),
    path(
        "creator/exports/<str:export_id>/file",
        exports.CreatorExportFileApi.as_view(),
        name="creator_export_file",
    ),
    path("creator/unlocks/", unlocks.CreatorItemsApi.as_view(), name="creator_unlocks"),
    path(
        "creator/unlocks/<str:item_id>/",
        unlocks.CreatorItemApi.as_view(),
        name="creator_unlock",
    ),
    path("creator/widgets/", widgets.CreatorWidgetsApi.as_view(), name="creator_widgets"),
    path(
        "creator/widgets/<str:widget_id>/",
        widgets.CreatorWidgetApi.as_view(),
        name="creator_widget",
    ),
]

app_name = "api"
urlpatterns = [
    path("v1/", include((v1, "v1"))),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", ApiDocsView.as_view(url_name="api:schema"), name="docs"),
    re_path(r"", not_found),
]
