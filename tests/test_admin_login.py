"""Staff sign in through allauth: the admin's own password form cannot skip two-factor."""

import pytest

from tests.factories import PASSWORD, UserFactory
from tests.staff import sign_in_with_second_factor

pytestmark = pytest.mark.django_db


def test_the_admin_login_form_sends_staff_to_the_site_login(client):
    staff = UserFactory(is_staff=True, is_superuser=True)

    response = client.post(
        "/admin/login/?next=/admin/", {"username": staff.username, "password": PASSWORD}
    )

    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")
    assert client.get("/staff/").status_code != 200
    assert "_auth_user_id" not in client.session


def test_a_signed_in_staff_member_reaches_the_admin(client):
    staff = UserFactory(is_staff=True, is_superuser=True)
    sign_in_with_second_factor(client, staff)

    assert client.get("/admin/").status_code == 200
