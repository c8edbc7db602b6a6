"""Staff pages (/staff/ and the admin) need a session that passed two-factor.

A password alone opens a creator's dashboard, not the pages that suspend creators
or edit anyone's account. Staff without an authenticator app are sent to set one
up; staff who have one but whose session never entered a code (signed in before
setting it up, or by any path that skipped the code) are asked for one first.
"""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import urlencode

from allauth.account.authentication import get_authentication_records
from allauth.mfa.models import Authenticator
from allauth.mfa.utils import is_mfa_enabled
from django.contrib import messages
from django.contrib.auth.models import User
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils.translation import gettext as _

from creators.selectors import is_staff

# The URL namespaces of the pages only staff may see.
STAFF_NAMESPACES = {"admin", "staff"}


def passed_second_factor(request: HttpRequest, user: User) -> bool:
    """allauth records each way this session proved who it is; "mfa" is a code entered."""
    return any(
        record.get("method") == "mfa" for record in get_authentication_records(request, user)
    )


class StaffSecondFactorMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(self, request: HttpRequest, view_func, view_args, view_kwargs):
        match = request.resolver_match
        if match is None or not STAFF_NAMESPACES.intersection(match.namespaces[:1]):
            return None
        user = request.user
        if not is_staff(user):
            return None  # the views' own checks send them to sign in or refuse them
        if not is_mfa_enabled(user, [Authenticator.Type.TOTP]):
            messages.info(
                request,
                _("Staff pages need two-factor authentication: set up an authenticator app."),
            )
            return HttpResponseRedirect(reverse("mfa_activate_totp"))
        if not passed_second_factor(request, user):
            query = urlencode({"next": request.get_full_path()})
            return HttpResponseRedirect(f"{reverse('mfa_reauthenticate')}?{query}")
        return None
