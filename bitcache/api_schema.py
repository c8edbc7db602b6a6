"""The API's OpenAPI schema: every operation documents the error responses it can give.

Documented statuses are what schemathesis holds the API to in the tests, and what
client generators build on; errors all have the shape of ErrorSerializer (web.api).
"""

from __future__ import annotations

from typing import Any, Literal

from django.utils.translation import gettext_lazy as _
from drf_spectacular.openapi import AutoSchema
from rest_framework import serializers


class ErrorDetailSerializer(serializers.Serializer):
    code = serializers.CharField(help_text=_("A stable, machine-readable error code."))
    message = serializers.CharField(help_text=_("What went wrong, in words."))
    # DRF's serializer metaclass takes declared fields out of the class, so this one
    # never shadows Serializer.fields at run time; the stubs cannot see that.
    fields = serializers.DictField(  # type: ignore[assignment]
        required=False, help_text=_("For invalid input: the messages for each field.")
    )


class ErrorSerializer(serializers.Serializer):
    error = ErrorDetailSerializer()


class ApiSchema(AutoSchema):
    """Adds the error responses a view declares in `error_statuses` to its operations,
    and states each group of a serializer's `exactly_one_of` as a oneOf of their
    requirements (an allOf of them when there are several groups)."""

    def _map_basic_serializer(self, serializer: Any, direction: str) -> dict[str, Any]:
        schema = super()._map_basic_serializer(serializer, direction)
        groups = getattr(serializer, "exactly_one_of", ())
        if groups and direction == "request":
            one_ofs = [
                {"oneOf": [{"required": list(fields)} for fields in group]} for group in groups
            ]
            if len(one_ofs) == 1:
                schema.update(one_ofs[0])
            else:
                schema["allOf"] = one_ofs
        return schema

    def _get_response_bodies(
        self, direction: Literal["request", "response"] = "response"
    ) -> dict[str, Any]:
        # Also applies when @extend_schema set the responses: it overrides
        # get_response_serializers, not this.
        responses = super()._get_response_bodies(direction)
        for status in getattr(self.view, "error_statuses", (400, 404)):
            responses.setdefault(
                str(status), self._get_response_for_code(ErrorSerializer, str(status))
            )
        return responses
