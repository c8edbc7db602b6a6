"""API keys as DRF authentication, and the base of every creator endpoint.

A creator endpoint sees only the key's creator's rows: its queries go through
`creators.scoping.owned_by(self.creator, ...)`, so another creator's id is a 404.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import exceptions
from rest_framework.authentication import BaseAuthentication, get_authorization_header
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.views import APIView

from creators.models import ApiKey, Creator
from creators.selectors import api_key_authenticate
from creators.services import api_key_touch

if TYPE_CHECKING:
    from django.contrib.auth.models import User


class ApiKeyAuthentication(BaseAuthentication):
    """`Authorization: Bearer <key>` with a key the creator made in the dashboard."""

    def authenticate(self, request: Request) -> tuple[User, ApiKey] | None:
        parts = get_authorization_header(request).split()
        if not parts or parts[0].lower() != b"bearer":
            return None
        if len(parts) != 2:
            raise exceptions.AuthenticationFailed(
                _("Send the key as “Authorization: Bearer <key>”.")
            )
        api_key = api_key_authenticate(token=parts[1].decode("latin-1"))
        if api_key is None:
            raise exceptions.AuthenticationFailed(_("This API key is unknown or was revoked."))
        api_key_touch(api_key=api_key, now=timezone.now())
        return api_key.creator.user, api_key

    def authenticate_header(self, request: Request) -> str:
        # Makes DRF answer 401 (with this challenge) rather than 403 to a missing key.
        return 'Bearer realm="api"'


class ApiKeyScheme(OpenApiAuthenticationExtension):
    target_class = ApiKeyAuthentication
    name = "ApiKey"

    def get_security_definition(self, auto_schema: Any) -> dict[str, str]:
        return {
            "type": "http",
            "scheme": "bearer",
            "description": str(_("An API key made in the dashboard (Dashboard → API keys).")),
        }


class CreatorEndpoint(APIView):
    """Base of the API views of the key's creator; list it before a DRF generic view class.

    Only an API key authenticates here (never a dashboard session), so an authenticated
    request's `auth` is always that key.
    """

    authentication_classes = (ApiKeyAuthentication,)
    permission_classes = (IsAuthenticated,)
    error_statuses: tuple[int, ...] = (400, 401, 404)

    @property
    def creator(self) -> Creator:
        api_key = self.request.auth
        if not isinstance(api_key, ApiKey):
            # Unreachable behind IsAuthenticated with ApiKeyAuthentication alone.
            raise exceptions.NotAuthenticated
        return api_key.creator
