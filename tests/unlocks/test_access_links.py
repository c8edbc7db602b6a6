"""Following /unlock/<token>: to the sold link while the purchase is paid, else a clear page."""

import time
from unittest import mock

import pytest
from django.core import signing

from tests.unlocks.conftest import SECRET_HOST, SECRET_URL
from unlocks.access import access_token
from unlocks.models import UnlockGrant
from unlocks.selectors import access_path
from unlocks.services import grant_revoke, purchase_create

pytestmark = pytest.mark.django_db

OTHER_ADDRESS = "bc1qnjg0jd8228aq7egyzacy8cys3knf9xvrerkf9g"


@pytest.fixture
def grant(purchase, pay) -> UnlockGrant:
    pay(purchase)
    return UnlockGrant.objects.get(purchase=purchase)


def link_signed_days_ago(grant: UnlockGrant, days: float) -> str:
    back_then = time.time() - days * 86400
    # The clock django.core.signing stamps tokens with.
    with mock.patch("django.core.signing.time.time", return_value=back_then):
        return access_path(grant)


def assert_refused(response, status: int) -> None:
    assert response.status_code == status
    assert "Location" not in response
    assert SECRET_HOST not in response.content.decode()
    assert "no-store" in response["Cache-Control"]


def test_it_redirects_to_the_sold_link(client, grant):
    response = client.get(access_path(grant))

    assert response.status_code == 302
    assert response["Location"] == SECRET_URL
    assert response["Referrer-Policy"] == "no-referrer"
    assert "no-store" in response["Cache-Control"]
    assert "private" in response["Cache-Control"]


def test_it_works_until_the_items_link_lifetime(client, grant):
    response = client.get(link_signed_days_ago(grant, 6.9))

    assert response.status_code == 302


def test_an_expired_link_says_so_and_points_to_recovery(client, grant):
    response = client.get(link_signed_days_ago(grant, 7.1))

    assert_refused(response, 410)
    assert b"expired" in response.content
    assert b"/unlock/recover" in response.content


def test_the_lifetime_is_the_items(client, make_item, pay):
    purchase = purchase_create(item=make_item(link_ttl_days=30))
    pay(purchase)

    response = client.get(link_signed_days_ago(purchase.unlock_grant, 29))

    assert response.status_code == 302


@pytest.mark.parametrize(
    "tamper",
    [
        lambda token: token[:-1] + ("A" if token[-1] != "A" else "B"),
        lambda token: "x" + token,
        lambda token: token.split(":", 1)[1],
        lambda token: "not-a-token",
    ],
)
def test_a_tampered_link_is_refused(client, grant, tamper):
    token = access_token(grant.public_id)

    response = client.get(f"/unlock/{tamper(token)}")

    assert_refused(response, 404)
    assert b"not valid" in response.content


def test_a_link_signed_for_another_purpose_is_refused(client, grant):
    token = signing.TimestampSigner(salt="something.else").sign(grant.public_id)

    assert_refused(client.get(f"/unlock/{token}"), 404)


def test_a_revoked_grant_opens_nothing(client, grant, creator):
    path = access_path(grant)

    grant_revoke(grant=grant, by=creator.user)

    assert_refused(client.get(path), 410)


def test_a_replaced_zero_conf_payment_closes_access(client, make_item, chain, watch):
    purchase = purchase_create(item=make_item(allow_zero_conf=True))
    txid = chain.send([(purchase.address.address, 5000)])
    watch()
    path = access_path(UnlockGrant.objects.get(purchase=purchase))
    assert client.get(path).status_code == 302

    chain.replace(txid, [(OTHER_ADDRESS, 4900)])
    watch()

    assert_refused(client.get(path), 403)


def test_a_reorged_payment_closes_access_until_it_confirms_again(client, purchase, chain, watch):
    chain.send([(purchase.address.address, 5000)])
    chain.mine(1)
    watch()
    path = access_path(UnlockGrant.objects.get(purchase=purchase))
    assert client.get(path).status_code == 302

    chain.reorg(1, new_blocks=0)
    watch()
    assert_refused(client.get(path), 403)

    chain.mine(1)
    watch()
    assert client.get(path).status_code == 302


def test_a_payment_reorged_out_for_good_closes_access(client, purchase, chain, watch):
    txid = chain.send([(purchase.address.address, 5000)])
    chain.mine(1)
    watch()
    path = access_path(UnlockGrant.objects.get(purchase=purchase))

    chain.reorg(1, new_blocks=2, drop_txids=[txid])
    watch()

    assert_refused(client.get(path), 403)


def test_access_links_are_not_cached_or_indexed(client, grant):
    response = client.get(access_path(grant))

    assert response["X-Robots-Tag"] == "noindex"
    assert "max-age=0" in response["Cache-Control"]


def test_it_allows_only_get(client, grant):
    response = client.post(access_path(grant))

    assert response.status_code == 405
    assert "Location" not in response


def test_a_fresh_link_outlives_an_older_one(client, grant):
    old = link_signed_days_ago(grant, 8)
    assert client.get(old).status_code == 410

    assert client.get(access_path(grant)).status_code == 302


def test_links_of_two_grants_differ(make_item, pay):
    item = make_item()
    first, second = purchase_create(item=item), purchase_create(item=item)
    pay(first)
    pay(second)

    assert access_path(first.unlock_grant) != access_path(second.unlock_grant)
    assert first.unlock_grant.receipt_code != second.unlock_grant.receipt_code
