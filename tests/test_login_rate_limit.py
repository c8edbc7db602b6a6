"""Failed sign-ins are limited per client address, the one our proxy saw."""

import pytest

from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db


def sign_in(client, email, password, address):
    return client.post(
        "/accounts/login/",
        {"login": email, "password": password},
        REMOTE_ADDR="127.0.0.1",  # the proxy
        HTTP_X_FORWARDED_FOR=address,
    )


@pytest.fixture
def behind_one_proxy(settings):
    settings.BITCACHE_TRUSTED_PROXIES = 1


def test_one_address_hitting_the_limit_does_not_lock_out_another(client, behind_one_proxy):
    user = UserFactory()
    for n in range(11):
        sign_in(client, f"guess{n}@example.com", "wrong", "203.0.113.1")
    locked_out = sign_in(client, user.email, PASSWORD, "203.0.113.1")
    assert locked_out.status_code == 200  # the form again: too many failed attempts

    response = sign_in(client, user.email, PASSWORD, "198.51.100.2")

    assert response.status_code == 302
    assert "_auth_user_id" in client.session
