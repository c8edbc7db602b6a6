"""Staff as they really sign in: password, then a code from their authenticator app."""

from __future__ import annotations

import time

from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import TOTP, format_hotp_value, generate_totp_secret, hotp_value
from allauth.mfa.totp.internal.auth import app_settings as mfa_settings

from tests.factories import PASSWORD


def give_authenticator_app(user) -> str:
    """Set up TOTP for `user` as the activation page would; returns the app's secret."""
    secret = generate_totp_secret()
    Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).delete()
    TOTP.activate(user, secret)
    return secret


def current_code(secret: str) -> str:
    return format_hotp_value(hotp_value(secret, int(time.time()) // mfa_settings.TOTP_PERIOD))


def sign_in_with_second_factor(client, user) -> None:
    """Sign in through the login form and the two-factor step, setting up TOTP if needed."""
    secret = give_authenticator_app(user)
    client.logout()
    response = client.post("/accounts/login/", {"login": user.email, "password": PASSWORD})
    assert response.status_code == 302, "the password was refused"
    assert response["Location"] == "/accounts/2fa/authenticate/"
    response = client.post("/accounts/2fa/authenticate/", {"code": current_code(secret)})
    assert response.status_code == 302, "the code was refused"
    assert "_auth_user_id" in client.session
