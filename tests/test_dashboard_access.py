"""The dashboard is for signed-in creators, on every URL it has.

Every dashboard URL pattern is discovered from the URL resolver (as the tenant isolation
test does), so a new dashboard page is covered without being listed here. An anonymous
visitor is sent to sign in (and back afterwards); a signed-in user who has not made a
creator profile yet is sent to make one, the onboarding page being the one page they see.
"""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.factories import UserFactory
from tests.test_tenant_isolation import all_routes

pytestmark = pytest.mark.django_db

DASHBOARD = [route for route in all_routes() if route.route.startswith("dashboard/")]
# Sanity: the walk found the dashboard (about 30 pages and actions).
assert len(DASHBOARD) >= 25, [route.route for route in DASHBOARD]


@pytest.mark.parametrize("route", DASHBOARD, ids=[route.route for route in DASHBOARD])
def test_every_dashboard_url_is_for_signed_in_creators_only(client, route):
    # Ids that need not exist: nobody gets as far as looking them up.
    url = route.url(dict.fromkeys(route.parameters, "1"))
    onboarding = reverse("creators:onboarding")
    sign_in = f"{reverse('account_login')}?next={url}"

    def answers(method: str) -> tuple[int, str]:
        response = getattr(client, method)(url)
        return response.status_code, response.get("Location", "")

    anonymous = {method: answers(method) for method in ("get", "post")}
    client.force_login(UserFactory())  # signed in, no creator profile
    no_profile = {method: answers(method) for method in ("get", "post")}

    # Each URL answers the methods it takes; a method it does not take is refused (405).
    allowed = [method for method, (status, _) in anonymous.items() if status != 405]
    assert allowed, anonymous
    for method in allowed:
        assert anonymous[method] == (302, sign_in), method
        if url == onboarding:
            assert no_profile[method] == (200, ""), method
        else:
            assert no_profile[method] == (302, onboarding), method
