"""Sign-up, verification, sign-in, password reset and two-factor pages (allauth)."""

import re

import pytest
from django.core import mail

from tests.factories import PASSWORD, CreatorFactory, UserFactory

pytestmark = pytest.mark.django_db


def _link_in(message) -> str:
    found = re.search(r"https?://[^/\s]+(/\S+)", message.body)
    assert found, f"no link in {message.body!r}"
    return found.group(1)


def test_it_signs_up_verifies_the_email_and_sends_the_new_user_to_onboarding(client):
    response = client.post(
        "/accounts/signup/",
        {"email": "alice@example.com", "password1": PASSWORD, "password2": PASSWORD},
    )

    assert response.status_code == 302
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["alice@example.com"]
    confirm_url = _link_in(mail.outbox[0])
    assert client.get(confirm_url).status_code == 200

    response = client.post(confirm_url)

    assert response.status_code == 302
    assert response.url == "/dashboard/welcome/"
    assert client.get("/dashboard/welcome/").wsgi_request.user.email == "alice@example.com"


def test_it_signs_in_a_creator_to_their_dashboard(client):
    creator = CreatorFactory()

    response = client.post("/accounts/login/", {"login": creator.user.email, "password": PASSWORD})

    assert response.status_code == 302
    assert response.url == "/dashboard/"


def test_it_sends_a_user_without_a_profile_to_onboarding_at_sign_in(client):
    user = UserFactory()

    response = client.post("/accounts/login/", {"login": user.email, "password": PASSWORD})

    assert response.status_code == 302
    assert response.url == "/dashboard/welcome/"


def test_it_refuses_sign_in_before_the_email_is_verified(client):
    user = UserFactory(verified_email=False)

    response = client.post("/accounts/login/", {"login": user.email, "password": PASSWORD})

    assert response.status_code == 302
    assert response.url == "/accounts/confirm-email/"
    assert "_auth_user_id" not in client.session


def test_it_emails_a_password_reset_link(client):
    user = UserFactory()

    response = client.post("/accounts/password/reset/", {"email": user.email})

    assert response.status_code == 302
    assert len(mail.outbox) == 1
    assert "/accounts/password/reset/key/" in mail.outbox[0].body


def test_it_shows_the_authenticator_app_activation_page(client):
    client.force_login(UserFactory())
    # Changing two-factor settings asks for the password again first.
    client.post("/accounts/reauthenticate/", {"password": PASSWORD})

    response = client.get("/accounts/2fa/totp/activate/")

    assert response.status_code == 200
    assert b"data:image/svg+xml" in response.content  # the QR code to scan


@pytest.mark.parametrize(
    "url", ["/accounts/login/", "/accounts/signup/", "/accounts/password/reset/"]
)
def test_it_shows_account_pages_in_the_site_layout(client, url):
    response = client.get(url)

    assert response.status_code == 200
    assert b'class="site-header"' in response.content
    assert b"account-page account-entrance" in response.content


def test_it_sends_staff_to_the_staff_pages_after_they_verify_their_email(client):
    staff = UserFactory(is_staff=True, is_superuser=True, verified_email=False)
    client.post("/accounts/login/", {"login": staff.email, "password": PASSWORD})

    response = client.post(_link_in(mail.outbox[0]))

    assert response.status_code == 302
    assert response.url == "/staff/"


def test_it_sends_staff_to_the_staff_pages_at_sign_in(client):
    staff = UserFactory(is_staff=True)

    response = client.post("/accounts/login/", {"login": staff.email, "password": PASSWORD})

    assert response.status_code == 302
    assert response.url == "/staff/"
