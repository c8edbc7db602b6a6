"""The sold link never reaches a browser before payment: not in a page, JSON, header or log.

Every path a buyer can reach is walked at every stage short of a paid purchase
(nothing paid, paid short, paid in full but unconfirmed, expired, sold out, creator
suspended, error pages), and every response body and header is searched for the
link, its host and its path. Once paid, the link appears in exactly one place: the
Location header of the access link.
"""

import logging
from datetime import timedelta

import pytest
from django.core import signing
from django.test import Client
from django.utils import timezone

from tests.unlocks.conftest import SECRET_HOST, SECRET_PATH, SECRET_URL
from unlocks.access import SALT
from unlocks.selectors import access_path
from unlocks.services import purchase_create

pytestmark = pytest.mark.django_db

SECRETS = (SECRET_URL, SECRET_HOST, SECRET_PATH)


class Walker:
    """A browser without an account that remembers everything it was sent."""

    def __init__(self) -> None:
        self.client = Client()
        self.seen: list[tuple[str, str, int]] = []

    def get(self, path: str):
        return self._keep("GET", path, self.client.get(path))

    def head(self, path: str):
        return self._keep("HEAD", path, self.client.head(path))

    def post(self, path: str, data: dict | None = None):
        return self._keep("POST", path, self.client.post(path, data or {}))

    def _keep(self, method: str, path: str, response):
        body = b"".join(response) if response.streaming else response.content
        headers = "\n".join(f"{name}: {value}" for name, value in response.items())
        cookies = response.cookies.output()
        self.seen.append(
            (f"{method} {path}", body.decode() + headers + cookies, response.status_code)
        )
        return response

    def assert_nothing_leaked(self) -> None:
        for request, text, _status in self.seen:
            for secret in SECRETS:
                assert secret not in text, f"{request} sent {secret!r}"

    def pages_of(self, purchase) -> None:
        for path in (
            f"/unlock/p/{purchase.public_id}/",
            f"/w/p/{purchase.public_id}/",
            f"/unlock/p/{purchase.public_id}/status.json",
            f"/t/{purchase.public_id}/",
            f"/t/{purchase.public_id}/status.json",
            f"/api/v1/tips/{purchase.public_id}/",
            f"/api/v1/purchases/{purchase.public_id}/",
        ):
            self.get(path)


def assert_no_log_mentions_the_link(caplog) -> None:
    for record in caplog.records:
        text = record.getMessage() + repr(record.__dict__)
        for secret in SECRETS:
            assert secret not in text, f"log {record.name}: {text[:200]}"


def test_no_buyer_path_shows_the_link_before_payment(
    item, make_item, creator, chain, watch, caplog
):
    caplog.set_level(logging.DEBUG)
    buyer = Walker()
    page = f"/@alice/u/{item.public_id}"

    # The item, its widget, the loader and the error pages around them.
    for path in (page, f"/w/u/{item.public_id}/", "/@alice", "/embed.js"):
        buyer.get(path)
    buyer.head(page)
    for missing in (f"/@bob/u/{item.public_id}", "/@alice/u/nope", "/w/u/nope/", "/unlock/p/nope/"):
        assert buyer.get(missing).status_code == 404

    # Buying, from the page and from the widget.
    purchase_url = buyer.post(page)["Location"]
    buyer.get(purchase_url)
    buyer.get(buyer.post(f"/w/u/{item.public_id}/")["Location"])
    buyer.post(f"/api/v1/unlocks/{item.public_id}/purchases/")
    buyer.get("/api/schema/")
    purchase = item.purchases.order_by("created_at").first()
    buyer.pages_of(purchase)

    # Paid short, then paid in full but not confirmed (the item waits for confirmation).
    chain.send([(purchase.address.address, 3000)])
    watch()
    buyer.pages_of(purchase)
    chain.send([(purchase.address.address, 2000)])
    watch()
    buyer.pages_of(purchase)
    assert buyer.get(f"/unlock/p/{purchase.public_id}/status.json").json()["unlocked"] is False

    # Recovery and access links that open nothing.
    buyer.get("/unlock/recover")
    buyer.post("/unlock/recover", {"code": "ZZZZ-ZZZZ-ZZZZ-ZZZZ"})
    buyer.post("/unlock/recover", {"code": "???"})
    buyer.get("/unlock/not-a-token")
    buyer.get("/unlock/" + signing.TimestampSigner(salt=SALT).sign("no-such-grant"))

    # An expired purchase, a sold-out item, a suspended creator.
    expired = purchase_create(item=item, now=timezone.now() - timedelta(hours=2))
    buyer.pages_of(expired)
    sold_out = make_item(title="Limited", sales_limit=1)
    purchase_create(item=sold_out)
    buyer.get(f"/@alice/u/{sold_out.public_id}")
    buyer.post(f"/@alice/u/{sold_out.public_id}")
    creator.status = "suspended"
    creator.save()
    buyer.get(page)
    buyer.post(f"/w/u/{item.public_id}/")
    buyer.pages_of(purchase)

    buyer.assert_nothing_leaked()
    assert_no_log_mentions_the_link(caplog)
    assert len(buyer.seen) > 40


def test_once_paid_the_link_leaves_only_as_the_access_links_redirect(item, pay, caplog):
    caplog.set_level(logging.DEBUG)
    buyer = Walker()
    purchase = purchase_create(item=item)
    pay(purchase)

    buyer.pages_of(purchase)
    state = buyer.get(f"/unlock/p/{purchase.public_id}/status.json").json()
    assert state["unlocked"] is True
    buyer.post("/unlock/recover", {"code": state["receipt_code"]})
    buyer.assert_nothing_leaked()

    redirect = buyer.get(access_path(purchase.unlock_grant))

    assert redirect["Location"] == SECRET_URL
    assert SECRET_HOST not in redirect.content.decode()
    assert_no_log_mentions_the_link(caplog)
