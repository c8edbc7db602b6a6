"""What every API endpoint shares: one error format and pagination.

Every error, whatever raised it, is answered as

    {"error": {"code": "not_found", "message": "Not found.", "fields": {...}}}

where `fields` (validation errors only) maps each field to its messages.

Input is held to what /api/schema/ says, no more loosely: a `boolean` is JSON true or
false, an `integer` a JSON number, a `string` a JSON string, and a query parameter that
is given must be valid (an empty one is not "no filter").
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions, serializers
from rest_framework.pagination import CursorPagination, PageNumberPagination
from rest_framework.request import Request
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


class StrictBooleanField(serializers.BooleanField):
    """JSON true or false only; DRF's own also takes 0, 1, "yes", "on"..."""

    def to_internal_value(self, data: Any) -> bool:
        if not isinstance(data, bool):
            self.fail("invalid", input=data)
        return data


class _JsonInteger:
    """A JSON number without a fraction; DRF's own also takes "12" and "12.0"."""

    def to_internal_value(self, data: Any) -> int:
        whole = isinstance(data, int) or (isinstance(data, float) and data.is_integer())
        if isinstance(data, bool) or not whole:
            self.fail("invalid")  # type: ignore[attr-defined]
        return super().to_internal_value(data)  # type: ignore[misc]


class StrictIntegerField(_JsonInteger, serializers.IntegerField):
    pass


class StrictBigIntegerField(_JsonInteger, serializers.BigIntegerField):
    pass


class CheckedLaterIntegerField(StrictIntegerField):
    """An integer whose limits the service receiving it checks, with its own refusal
    codes; `minimum` and `maximum` are only stated in the schema from here."""

    def __init__(self, *, minimum: int, maximum: int, **kwargs: Any):
        super().__init__(**kwargs)
        self.min_value, self.max_value = minimum, maximum


class StrictCharField(serializers.CharField):
    """A JSON string; DRF's own also turns numbers into strings."""

    def to_internal_value(self, data: Any) -> str:
        if not isinstance(data, str):
            self.fail("invalid")
        return super().to_internal_value(data)


_STRICTER = {
    serializers.BooleanField: StrictBooleanField,
    serializers.IntegerField: StrictIntegerField,
    serializers.BigIntegerField: StrictBigIntegerField,
    serializers.CharField: StrictCharField,
}


class StrictModelSerializer(serializers.ModelSerializer):
    """A ModelSerializer whose fields made from model fields are the strict ones above."""

    serializer_field_mapping = {
        model_field: _STRICTER.get(field, field)
        for model_field, field in serializers.ModelSerializer.serializer_field_mapping.items()
    }


def query_data(request: Request) -> dict[str, str]:
    """A request's query parameters for a serializer. A plain dict, not the QueryDict:
    DRF reads an empty value in a QueryDict as a missing one, so `?widget=` would be
    no filter at all rather than the empty string the schema refuses."""
    return request.query_params.dict()


def _whole_number(request: Request, name: str, default: int, maximum: int | None = None) -> int:
    """A query parameter that must be a whole number from 1 (to `maximum`), or refused."""
    value = request.query_params.get(name)
    if value is None:
        return default
    number = int(value) if value.isascii() and value.isdigit() else 0
    if not 1 <= number <= (maximum or number):
        message = (
            _("A whole number from 1 to %(max)d.") % {"max": maximum}
            if maximum
            else _("A whole number, 1 or more.")
        )
        raise exceptions.ValidationError({name: [message]})
    return number


class ApiPagination(PageNumberPagination):
    """Pages of 50, or `page_size` up to 200. A `page` or `page_size` that is not a whole
    number in range is refused (DRF's own quietly falls back to its default)."""

    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200
    last_page_strings = ()

    def get_page_size(self, request: Request) -> int:
        return _whole_number(
            request, self.page_size_query_param, self.page_size, self.max_page_size
        )

    def get_page_number(self, request: Request, paginator: Any) -> int:
        return _whole_number(request, self.page_query_param, 1)

    def get_schema_operation_parameters(self, view: Any) -> list[dict[str, Any]]:
        limits = {
            self.page_query_param: {"minimum": 1},
            self.page_size_query_param: {"minimum": 1, "maximum": self.max_page_size},
        }
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            parameter["schema"].update(limits.get(parameter["name"], {}))
        return parameters


class NewestFirstPagination(CursorPagination):
    """Lists that grow without end (a big creator's tips): newest first, 50 a page or
    `page_size` up to 200, and `next`/`previous` links holding a `cursor` rather than page
    numbers, so the deepest page costs what the first does. No `count`: counting costs
    the whole history. The view's queryset needs an index on its `created_at`."""

    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200
    ordering = ("-created_at", "-pk")

    def get_page_size(self, request: Request) -> int:
        return _whole_number(
            request, self.page_size_query_param, self.page_size, self.max_page_size
        )

    def get_schema_operation_parameters(self, view: Any) -> list[dict[str, Any]]:
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            if parameter["name"] == self.page_size_query_param:
                parameter["schema"].update({"minimum": 1, "maximum": self.max_page_size})
        return parameters
