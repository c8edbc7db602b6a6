"""What every API endpoint shares: one error format and pagination.

Every error, whatever raised it, is answered as

    {"error": {"code": "not_found", "message": "Not found.", "fields": {...}}}

where `fields` (validation errors only) maps each field to its messages.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions
from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response


class ApiError(exceptions.APIException):
    """An error with our own code and message, e.g. a refused tip."""

    def __init__(
        self,
        *,
        status: int,
        code: str,
        message: str,
        fields: dict[str, list[str]] | None = None,
        retry_after: int | None = None,
    ):
        super().__init__(detail=message, code=code)
        self.status_code = status
        self.fields = fields
        self.wait = retry_after


def error_body(code: str, message: str, fields: Any = None) -> dict[str, Any]:
    error: dict[str, Any] = {"code": code, "message": message}
    if fields is not None:
        error["fields"] = fields
    return {"error": error}


def error_response(exc: Exception, context: dict[str, Any]) -> Response | None:
    """DRF's EXCEPTION_HANDLER: any API exception, in our one error format."""
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied()
    if not isinstance(exc, exceptions.APIException):
        return None  # a bug: Django answers 500 and reports it
    headers = {}
    # NotAuthenticated and AuthenticationFailed carry auth_header, Throttled wait.
    auth_header = getattr(exc, "auth_header", None)
    if auth_header:
        headers["WWW-Authenticate"] = auth_header
    wait = getattr(exc, "wait", None)
    if wait:
        headers["Retry-After"] = str(int(wait))
    if isinstance(exc, exceptions.ValidationError):
        fields = exc.detail if isinstance(exc.detail, dict) else {"non_field_errors": exc.detail}
        body = error_body("invalid", str(_("Some fields are not valid.")), fields)
    else:
        code = exc.get_codes()
        body = error_body(
            code if isinstance(code, str) else exc.default_code,
            str(exc.detail),
            getattr(exc, "fields", None),
        )
    return Response(body, status=exc.status_code, headers=headers)


class ApiPagination(PageNumberPagination):
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200
