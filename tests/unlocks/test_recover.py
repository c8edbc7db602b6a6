"""/unlock/recover: a receipt code gets the buyer a fresh access link."""

import pytest

from tests.unlocks.conftest import SECRET_HOST, SECRET_URL
from unlocks.models import UnlockGrant
from unlocks.receipts import format_receipt_code
from unlocks.services import grant_revoke
from unlocks.views import RECOVER_RATE_PER_IP

pytestmark = pytest.mark.django_db

URL = "/unlock/recover"


@pytest.fixture
def grant(purchase, pay) -> UnlockGrant:
    pay(purchase)
    return UnlockGrant.objects.get(purchase=purchase)


def recovered_link(response) -> str:
    return response.context["access_url"]


def test_it_shows_the_form(client):
    response = client.get(URL)

    assert response.status_code == 200
    assert b'name="code"' in response.content
    assert "no-store" in response["Cache-Control"]


def test_it_gives_a_fresh_link_for_a_receipt_code(client, grant):
    response = client.post(URL, {"code": format_receipt_code(grant.receipt_code)})

    assert response.status_code == 200
    link = recovered_link(response)
    assert link.startswith("http://testserver/unlock/")
    assert link.encode() in response.content
    assert SECRET_HOST not in response.content.decode()
    assert "no-store" in response["Cache-Control"]
    followed = client.get(link.removeprefix("http://testserver"))
    assert followed["Location"] == SECRET_URL


def test_it_forgives_case_spaces_and_look_alike_letters(client, grant):
    typed = " ".join(grant.receipt_code.lower()[i : i + 4] for i in range(0, 16, 4))
    typed = typed.replace("0", "o").replace("1", "l")

    response = client.post(URL, {"code": typed})

    assert response.status_code == 200
    assert recovered_link(response)


def test_it_says_when_no_purchase_has_the_code(client, grant):
    response = client.post(URL, {"code": "ZZZZ-ZZZZ-ZZZZ-ZZZZ"})

    assert response.status_code == 404
    assert response.context["form"].errors["code"]
    assert not recovered_link(response)


def test_it_refuses_a_revoked_purchase(client, grant, creator):
    grant_revoke(grant=grant, by=creator.user)

    response = client.post(URL, {"code": grant.receipt_code})

    assert response.status_code == 410
    assert b"revoked" in response.content
    assert not recovered_link(response)


def test_it_refuses_a_purchase_whose_payment_is_gone(client, grant, chain, watch):
    txid = grant.purchase.payments.get().txid
    chain.reorg(1, new_blocks=2, drop_txids=[txid])
    watch()

    response = client.post(URL, {"code": grant.receipt_code})

    assert response.status_code == 403
    assert not recovered_link(response)


def test_it_is_rate_limited_per_client_address(client, grant):
    for _ in range(RECOVER_RATE_PER_IP):
        assert client.post(URL, {"code": "ZZZZ-ZZZZ-ZZZZ-ZZZZ"}).status_code == 404

    response = client.post(URL, {"code": grant.receipt_code})

    assert response.status_code == 429
    assert int(response["Retry-After"]) > 0
    assert not recovered_link(response)
    other = client.post(URL, {"code": grant.receipt_code}, REMOTE_ADDR="10.0.0.2")
    assert other.status_code == 200
