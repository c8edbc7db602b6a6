"""Tenant isolation, proved on every URL the site has.

Every URL pattern is enumerated (dashboard pages and API routes alike). Each one that
takes an id is either public by design (PUBLIC), staff-only (STAFF_PREFIXES), or
creator-scoped; creator-scoped ones are called as creator B with creator A's ids, by
every method, and must answer 404 (not 403: the id's existence is not confirmed), and
leave A's data as it was. A pattern whose parameter this test does not know fails the
test: a new creator-scoped URL cannot be added without being covered here. Pages without
ids must not show anything of A's to B.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import timezone
from rest_framework.test import APIClient

from creators.models import ApiKey, Creator, LightningWallet
from creators.services import api_key_create
from dashboard.models import TipExport
from dashboard.services import tip_export_run, tip_export_start
from overlays.selectors import overlay_token
from overlays.services import overlay_settings_ensure, overlay_test_alert
from payments.models import Tip
from payments.reports import TipFilters
from payments.services import tip_create
from tests.factories import CreatorFactory, address_of
from unlocks.models import UnlockGrant, UnlockItem
from unlocks.services import item_create, purchase_create
from web.sealing import seal
from webhooks.models import WebhookDelivery, WebhookEndpoint, WebhookEvent
from webhooks.services import webhook_endpoint_create
from widgets.models import Widget
from widgets.services import widget_create

pytestmark = pytest.mark.django_db

# Reachable by anyone who holds the id: viewers have no account. None of them shows or
# changes anything private (tests/widgets, tests/api and unlocks' tests say what they show).
PUBLIC = {
    "@<str:handle>",
    "@<str:handle>/report",
    "@<str:handle>/report/sent",
    "@<str:handle>/u/<str:item_id>",
    "w/<str:widget_id>/",
    # What embed.js reads before framing (public origins and tip page), and where
    # browsers report a refused frame (tests/widgets/test_refused_origins.py).
    "w/<str:widget_id>/config.json",
    "w/<str:widget_id>/refused",
    "w/u/<str:item_id>/",
    "w/p/<str:purchase_id>/",
    "t/<str:tip_id>/",
    "t/<str:tip_id>/status.json",
    # The payment screen's live stream: status.json's public fields (tests/live).
    "t/<str:tip_id>/events",
    "t/<str:tip_id>/renew",
    "unlock/p/<str:purchase_id>/",
    "unlock/p/<str:purchase_id>/status.json",
    "unlock/<str:token>",
    # Stream overlays: the secret token is the credential (OBS sends no cookie); each
    # token shows its own creator's alerts, goal and supporters only (tests/overlays).
    "overlay/<str:token>/alerts",
    "overlay/<str:token>/goal",
    "overlay/<str:token>/supporters",
    "overlay/<str:token>/events",
    # The goal a creator chose to show on their tip page: its public figures only, 404
    # otherwise (tests/widgets/test_public_goal.py).
    "@<str:handle>/goal.json",
    "@<str:handle>/goal/events",
    "api/v1/tips/<str:tip_id>/",
    # The Lightning Address every creator with a wallet has (tests/widgets/test_lnurl.py):
    # public by design; verify finds only the named creator's invoices.
    ".well-known/lnurlp/<str:handle>",
    ".well-known/lnurlp/<str:handle>/callback",
    ".well-known/lnurlp/<str:handle>/verify/<str:payment_hash>",
    "api/v1/unlocks/<str:item_id>/purchases/",
    "api/v1/purchases/<str:purchase_id>/",
    # allauth: a signed key in the URL is the credential.
    "accounts/^confirm-email/(?P<key>[-:\\w]+)/$",
    "accounts/^password/reset/key/(?P<uidb36>[0-9A-Za-z]+)-(?P<key>.+)/$",
}
STAFF_PREFIXES = ("admin/", "staff/")
METHODS = ("get", "post", "put", "patch", "delete")
_PARAMETER = re.compile(r"<(?:\w+:)?(\w+)>|\(\?P<(\w+)>[^)]*\)")


@dataclass(frozen=True)
class Route:
    route: str
    name: str | None

    @property
    def parameters(self) -> list[str]:
        return [a or b for a, b in _PARAMETER.findall(self.route)]

    def url(self, values: dict[str, str]) -> str:
        path = _PARAMETER.sub(lambda m: values[m.group(1) or m.group(2)], self.route)
        return "/" + path.replace("^", "").replace("$", "")


def all_routes() -> list[Route]:
    def walk(patterns, prefix=""):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                yield from walk(pattern.url_patterns, prefix + str(pattern.pattern))
            elif isinstance(pattern, URLPattern):
                yield Route(prefix + str(pattern.pattern), pattern.name)

    return list(walk(get_resolver().url_patterns))


@dataclass
class Tenant:
    creator: Creator
    api_key: str
    ids: dict[str, str]
    secrets: list[str]


def tenant(handle: str) -> Tenant:
    """A creator with one of everything a creator can own."""
    creator = CreatorFactory.create(handle=handle)
    widget = widget_create(creator=creator, label=f"{handle}'s widget", min_tip_sats=1000)
    tip = tip_create(
        creator=creator, widget=widget, amount_sats=5000, message=f"secret note for {handle}"
    )
    key, token = api_key_create(creator=creator, name="key")
    endpoint = webhook_endpoint_create(
        creator=creator, url=f"https://{handle}.example/hook", events=[WebhookEvent.TIP_CONFIRMED]
    )
    delivery = WebhookDelivery.objects.create(
        endpoint=endpoint,
        event_type=WebhookEvent.TIP_CONFIRMED,
        tip=tip,
        payload={},
        give_up_at=timezone.now(),
    )
    item = item_create(
        creator=creator, title="Raw footage", price_sats=5000, target_url="https://x.example/f"
    )
    purchase = purchase_create(item=item)
    grant = UnlockGrant.objects.create(purchase=purchase)
    export = tip_export_start(creator=creator, filters=TipFilters())
    lightning_wallet = LightningWallet.objects.create(
        creator=creator,
        kind="simulated",
        label=f"{handle}-wallet-label",
        public={"payee": f"{handle}-node-key"},
        secret_sealed=seal(f"{handle}-wallet-secret"),
    )
    tip_export_run(export_id=export.pk)  # done, its file ready to download
    overlay = overlay_settings_ensure(creator=creator)
    overlay_test_alert(
        creator=creator, amount_sats=2100, name="Satoshi", message=f"overlay note for {handle}"
    )
    ids = {
        "handle": handle,
        "tip_id": tip.public_id,
        "public_id": tip.public_id,
        "widget_id": widget.public_id,
        "key_id": str(key.pk),
        "endpoint_id": endpoint.public_id,
        "delivery_id": str(delivery.pk),
        "item_id": item.public_id,
        "purchase_id": purchase.public_id,
        "grant_id": grant.public_id,
        "export_id": export.public_id,
    }
    secrets = [
        tip.public_id,
        tip.message,
        address_of(tip),
        widget.public_id,
        key.prefix,
        endpoint.public_id,
        endpoint.secret,
        endpoint.url,
        str(delivery.event_id),
        item.public_id,
        purchase.public_id,
        grant.public_id,
        export.public_id,
        lightning_wallet.label,
        lightning_wallet.public["payee"],
        lightning_wallet.secret_sealed,
        f"{handle}-wallet-secret",
        overlay_token(overlay),
        f"overlay note for {handle}",
    ]
    return Tenant(creator, token, ids, secrets)


def snapshot(creator: Creator) -> dict[str, list]:
    """Everything of the creator's that B could try to change."""
    mine = {
        Tip: {"creator": creator},
        Widget: {"creator": creator},
        ApiKey: {"creator": creator},
        WebhookEndpoint: {"creator": creator},
        WebhookDelivery: {"endpoint__creator": creator},
        UnlockItem: {"creator": creator},
        UnlockGrant: {"purchase__creator": creator},
        TipExport: {"creator": creator},
        LightningWallet: {"creator": creator},
    }
    return {
        model.__name__: list(model._default_manager.filter(**lookup).order_by("pk").values())
        for model, lookup in mine.items()
    }


@pytest.fixture
def tenants():
    return tenant("alice"), tenant("bobby")


@pytest.fixture
def b_browser(tenants) -> Client:
    client = Client()
    client.force_login(tenants[1].creator.user)
    return client


@pytest.fixture
def b_api(tenants) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {tenants[1].api_key}")
    return client


def creator_scoped(routes: list[Route]) -> list[Route]:
    return [
        route
        for route in routes
        if route.parameters
        and route.route not in PUBLIC
        and not route.route.startswith(STAFF_PREFIXES)
    ]


def test_every_creator_scoped_url_is_a_404_with_another_creators_ids(tenants, b_browser, b_api):
    a, b = tenants
    before = snapshot(a.creator)
    routes = creator_scoped(all_routes())
    assert len(routes) >= 15  # sanity: the walk found the dashboard and the API

    for route in routes:
        unknown = set(route.parameters) - set(a.ids)
        assert not unknown, (
            f"{route.route} takes {unknown}: give tenant() an object for it, or list the "
            "route in PUBLIC if anyone may use it"
        )
        client = b_api if route.route.startswith("api/") else b_browser
        # A's id in each position in turn, B's own ids elsewhere (and all of A's).
        variants = [{**b.ids, name: a.ids[name]} for name in route.parameters] + [a.ids]
        for values in variants:
            url = route.url(values)
            statuses = {}
            for method in METHODS:
                statuses[method] = getattr(client, method)(url).status_code
            assert set(statuses.values()) <= {404, 405}, (url, statuses)
            assert 404 in statuses.values(), (url, statuses)

    assert snapshot(a.creator) == before


def test_pages_without_ids_show_nothing_of_another_creators(tenants, b_browser, b_api):
    a, _b = tenants
    pages = [
        route
        for route in all_routes()
        if not route.parameters and not route.route.startswith(STAFF_PREFIXES)
    ]
    assert any(route.route == "dashboard/tips/exports/" for route in pages)

    for route in pages:
        client = b_api if route.route.startswith("api/") else b_browser
        response = client.get(route.url({}))
        body = (
            b"".join(response.streaming_content) if response.streaming else response.content
        ).decode(errors="replace")
        for secret in a.secrets:
            assert secret not in body, (route.route, secret)


def test_another_creator_cannot_test_or_remove_my_lightning_wallet(tenants, b_browser):
    a, _b = tenants
    before = snapshot(a.creator)

    for url in ("/dashboard/lightning/test", "/dashboard/lightning/remove"):
        b_browser.post(url)

    assert snapshot(a.creator) == before


def test_staff_urls_are_not_for_creators(tenants, b_browser):
    a, _b = tenants
    staff = [route for route in all_routes() if route.route.startswith("staff/")]

    for route in staff:
        url = route.url(dict.fromkeys(route.parameters, str(a.creator.pk)))
        for method in ("get", "post"):
            response = getattr(b_browser, method)(url)
            refused = response.status_code in (403, 404, 405) or (
                response.status_code == 302 and "/login/" in response["Location"]
            )
            assert refused, (method, url, response.status_code)
