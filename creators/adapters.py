from allauth.account.adapter import DefaultAccountAdapter
from django.http import HttpRequest
from django.shortcuts import resolve_url

from creators.selectors import creator_for_user, is_staff
from web.ratelimit import client_ip


class AccountAdapter(DefaultAccountAdapter):
    """allauth's defaults, except where a new account goes first."""

    def get_signup_redirect_url(self, request: HttpRequest) -> str:
        # Where the verification link leads: "create your profile", not an empty dashboard.
        # Staff have their own pages and need no creator profile.
        if is_staff(request.user):
            return resolve_url("staff:queue")
        return resolve_url("creators:onboarding")

    def get_login_redirect_url(self, request: HttpRequest) -> str:
        if is_staff(request.user):
            return resolve_url("staff:queue")
        # A user who signed up but left before making a profile resumes there.
        if creator_for_user(user=request.user) is None:
            return resolve_url("creators:onboarding")
        return super().get_login_redirect_url(request)

    def get_client_ip(self, request: HttpRequest) -> str:
        # allauth's failed-login limits count per address: behind our proxy, the
        # client's, as every rate limit here reads it (not the proxy's own).
        return client_ip(request) or super().get_client_ip(request)
