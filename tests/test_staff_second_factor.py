"""Staff pages need two-factor: a password alone opens neither /staff/ nor the admin."""

import pytest

from tests.factories import UserFactory
from tests.staff import current_code, give_authenticator_app, sign_in_with_second_factor

pytestmark = pytest.mark.django_db

STAFF_PAGES = ["/staff/", "/admin/"]


@pytest.fixture
def superuser(db):
    return UserFactory(is_staff=True, is_superuser=True)


@pytest.mark.parametrize("url", STAFF_PAGES)
def test_staff_without_an_authenticator_app_are_sent_to_set_one_up(client, superuser, url):
    client.force_login(superuser)

    response = client.get(url)

    assert response.status_code == 302
    assert response["Location"] == "/accounts/2fa/totp/activate/"


@pytest.mark.parametrize("url", STAFF_PAGES)
def test_a_session_that_skipped_the_code_is_asked_for_one(client, superuser, url):
    give_authenticator_app(superuser)
    client.force_login(superuser)  # signed in without entering a code

    response = client.get(url)

    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/2fa/reauthenticate/")


@pytest.mark.parametrize("url", STAFF_PAGES)
def test_a_session_that_passed_the_code_gets_in(client, superuser, url):
    sign_in_with_second_factor(client, superuser)

    assert client.get(url).status_code == 200


def test_entering_a_code_when_asked_opens_the_page(client, superuser):
    secret = give_authenticator_app(superuser)
    client.force_login(superuser)
    asked = client.get("/staff/")["Location"]

    response = client.post(asked, {"code": current_code(secret)})

    assert response.status_code == 302
    assert response["Location"] == "/staff/"
    assert client.get("/staff/").status_code == 200
