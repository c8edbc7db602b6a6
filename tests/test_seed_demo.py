"""`manage.py seed_demo`: a demo creator to tip on the simulated chain, set up once."""

from __future__ import annotations

import re
from io import StringIO
from urllib.parse import urlsplit

import pytest
from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command

from creators.models import Creator, CreatorStatus, WalletKey
from payments.models import Tip, TipStatus
from tests.factories import BIP84_FIRST_ADDRESSES, BIP84_ZPUB
from widgets.models import Widget

pytestmark = pytest.mark.django_db


def seed(*args: str) -> str:
    out = StringIO()
    call_command("seed_demo", *args, stdout=out)
    return out.getvalue()


def printed(output: str, label: str) -> str:
    found = re.search(rf"^{label}: (\S+)", output, re.MULTILINE)
    assert found is not None, f"seed_demo printed no {label!r} line:\n{output}"
    return found.group(1)


def test_it_creates_an_approved_creator_with_the_test_key_and_a_widget():
    output = seed()

    creator = Creator.objects.get(handle="demo")
    assert creator.status == CreatorStatus.ACTIVE
    assert EmailAddress.objects.get(user=creator.user).verified
    key = WalletKey.objects.get(creator=creator)
    assert key.original == BIP84_ZPUB and key.is_active and key.confirmed_at
    widget = Widget.objects.get(creator=creator)
    assert "Handle: @demo" in output
    assert "Tip page: http://" in output and "/@demo" in output
    assert f'data-widget="{widget.public_id}"' in output
    assert "simulate_payment <id>" in output


def test_the_printed_email_and_password_sign_in(client):
    output = seed()
    email = re.search(r"Sign in at \S+ as (\S+)", output).group(1)

    response = client.post(
        "/accounts/login/", {"login": email, "password": printed(output, "Password")}
    )

    assert response.status_code == 302
    assert client.get("/dashboard/").status_code == 200


def test_a_given_password_is_the_one_set():
    seed("--password", "demo-demo-demo")

    assert get_user_model().objects.get(email="demo@example.com").check_password("demo-demo-demo")


def test_a_second_run_changes_nothing_and_says_so():
    seed()
    counts = [m.objects.count() for m in (get_user_model(), Creator, WalletKey, Widget)]

    output = seed()

    assert "already set up: nothing changed" in output
    assert [m.objects.count() for m in (get_user_model(), Creator, WalletKey, Widget)] == counts
    assert "Password: unchanged" in output


def test_it_refuses_a_real_chain(settings):
    settings.BITCACHE_CHAIN_SOURCE = "esplora"

    with pytest.raises(CommandError, match="public"):
        seed()

    assert not Creator.objects.exists()


def test_force_runs_it_on_a_real_chain_all_the_same(settings):
    settings.BITCACHE_CHAIN_SOURCE = "esplora"

    seed("--force")

    assert Creator.objects.filter(handle="demo", status=CreatorStatus.ACTIVE).exists()


def test_the_printed_tip_page_takes_a_tip_paid_with_simulate_payment(client, chain, watch):
    path = urlsplit(printed(seed(), "Tip page")).path

    assert client.get(path).status_code == 200
    # From the on-chain minimum up (a unified QR), the tip has an address to pay on-chain.
    response = client.post(path, {"amount_sats": 20_000})
    assert response.status_code == 302
    tip_id = response["Location"].rstrip("/").rsplit("/", 1)[-1]
    call_command("simulate_payment", tip_id, "--confirm", stdout=StringIO())
    watch()

    tip = Tip.objects.get(public_id=tip_id)
    assert tip.status == TipStatus.CONFIRMED
    assert tip.address.address == BIP84_FIRST_ADDRESSES[0]


def test_it_connects_the_simulated_lightning_wallet_and_prints_the_lightning_address(client):
    output = seed()

    creator = Creator.objects.get(handle="demo")
    assert creator.lightning_wallet.kind == "simulated"
    assert printed(output, "Lightning Address") == "demo@127.0.0.1"
    pay_request = client.get("/.well-known/lnurlp/demo").json()
    assert pay_request["tag"] == "payRequest"
    assert "simulated Lightning wallet" not in seed()  # once only


def test_the_printed_lightning_address_takes_a_tip_paid_with_simulate_payment(client):
    seed()
    least = client.get("/.well-known/lnurlp/demo").json()["minSendable"]
    answer = client.get("/.well-known/lnurlp/demo/callback", {"amount": least}).json()

    out = StringIO()
    call_command("simulate_payment", answer["pr"], stdout=out)

    tip = Tip.objects.get()
    assert tip.status == TipStatus.CONFIRMED
    assert tip.rail == "lightning"
    assert client.get(answer["verify"].split("127.0.0.1:8000", 1)[1]).json()["settled"] is True
