"""Registering the wallet key tips are paid to: paste, compare addresses, confirm."""

import logging
import re

import pytest
from django.core.exceptions import ValidationError
from django.utils.html import escape

from btc import parse_key
from creators import services
from creators.models import WalletKey
from tests.btc.vectors import DESCRIPTORS, KEYS, MUST_REFUSE, master_xpub, with_version
from tests.factories import BIP84_FIRST_ADDRESSES, BIP84_ZPUB, CreatorFactory, UserFactory

pytestmark = pytest.mark.django_db

URL = "/dashboard/key/"
XPRV = MUST_REFUSE["private_master_key"]
SEED_WORDS = MUST_REFUSE["seed_words"]


def _errors(response) -> str:
    return " ".join(
        message for messages in response.context["form"].errors.values() for message in messages
    )


def _preview(client, text):
    return client.post(URL, {"key": text})


def _confirm(client, text):
    preview = _preview(client, text)
    assert preview.status_code == 200, preview.context["form"].errors
    return client.post(
        URL, {"key": text, "confirmed_descriptor": preview.context["key"].descriptor}
    )


def test_it_previews_the_first_receive_addresses(creator_client):
    response = _preview(creator_client, BIP84_ZPUB)

    assert response.status_code == 200
    addresses = [derived.address for derived in response.context["addresses"]]
    assert len(addresses) == 5
    assert addresses[:2] == BIP84_FIRST_ADDRESSES
    assert response.content.decode().index(BIP84_FIRST_ADDRESSES[0]) < (
        response.content.decode().index(BIP84_FIRST_ADDRESSES[1])
    )
    assert b"p2wpkh" in response.content.lower()
    assert escape(response.context["key"].descriptor) in response.content.decode()
    assert WalletKey.objects.count() == 0  # nothing is stored before the creator confirms


@pytest.mark.parametrize(
    "vector", KEYS + DESCRIPTORS, ids=[v["script"] for v in KEYS + DESCRIPTORS]
)
def test_it_previews_each_supported_kind_of_key(creator_client, vector):
    text = vector.get("key") or vector["descriptor"]

    response = _preview(creator_client, text)

    assert response.status_code == 200, response.context["form"].errors
    previewed = [derived.address for derived in response.context["addresses"]]
    assert previewed[:2] == vector["receive"]
    assert response.context["key"].script_type == vector["script"]


def test_it_warns_about_a_master_key(creator_client):
    response = _preview(creator_client, master_xpub())

    assert response.status_code == 200
    assert b"master public key" in response.content


def test_it_stores_the_key_once_the_creator_confirms(creator_client, creator):
    response = _confirm(creator_client, BIP84_ZPUB)

    assert response.status_code == 302
    assert response.url == URL
    key = WalletKey.objects.get(creator=creator)
    assert key.original == BIP84_ZPUB
    assert key.descriptor.startswith("wpkh(xpub6CatWdiZiodm")
    assert "#" in key.descriptor
    assert (key.script_type, key.network, key.is_active) == ("p2wpkh", "mainnet", True)
    assert key.confirmed_at is not None
    assert key.watch_key().addresses(0, 2)[1].address == BIP84_FIRST_ADDRESSES[1]


def test_it_retires_the_old_key_when_replaced(creator_client, creator):
    _confirm(creator_client, BIP84_ZPUB)
    old = WalletKey.objects.get(creator=creator)

    response = _confirm(creator_client, KEYS[2]["key"])

    assert response.status_code == 302
    old.refresh_from_db()
    assert (old.is_active, old.retired_at is not None) == (False, True)
    new = WalletKey.objects.get(creator=creator, is_active=True)
    assert new.script_type == "p2pkh"
    assert new.retired_at is None


def test_it_brings_back_a_previous_key_with_its_derivation_index(creator_client, creator):
    _confirm(creator_client, BIP84_ZPUB)
    first = WalletKey.objects.get(creator=creator)
    WalletKey.objects.filter(pk=first.pk).update(next_index=7)
    _confirm(creator_client, KEYS[2]["key"])

    # The same wallet account, pasted as a descriptor this time.
    _confirm(creator_client, DESCRIPTORS[0]["descriptor"])

    first.refresh_from_db()
    assert (first.is_active, first.retired_at, first.next_index) == (True, None, 7)
    assert WalletKey.objects.filter(creator=creator).count() == 2


def test_it_keeps_the_active_key_when_it_is_confirmed_again(creator_client, creator):
    _confirm(creator_client, BIP84_ZPUB)

    response = _confirm(creator_client, BIP84_ZPUB)

    assert response.status_code == 302
    assert WalletKey.objects.filter(creator=creator).count() == 1


def test_it_refuses_a_key_another_creator_registered(creator_client, creator):
    CreatorFactory()  # the first factory key is the BIP84 vector

    response = _preview(creator_client, BIP84_ZPUB)

    assert response.status_code == 200
    assert "already registered by another creator" in _errors(response)
    assert not WalletKey.objects.filter(creator=creator).exists()


def test_it_refuses_a_confirmation_for_another_key_than_previewed(creator_client, creator):
    other = _preview(creator_client, KEYS[2]["key"]).context["key"].descriptor

    response = creator_client.post(URL, {"key": BIP84_ZPUB, "confirmed_descriptor": other})

    assert response.status_code == 200
    assert "The key changed" in _errors(response)
    assert not WalletKey.objects.exists()


@pytest.mark.parametrize(
    ("text", "says"),
    [
        (XPRV, "That is a private key"),
        (SEED_WORDS, "Those look like seed words"),
        (MUST_REFUSE["bad_checksum_zpub"], "checksum does not match"),
        (MUST_REFUSE["bad_descriptor_checksum"], "The descriptor's checksum"),
        (with_version(BIP84_ZPUB, "vpub"), "That key is for a test network"),
        ("hello, I am not a key", "not a wallet key"),
    ],
    ids=["xprv", "seed-words", "zpub-checksum", "descriptor-checksum", "testnet", "garbage"],
)
def test_it_refuses_what_is_not_a_usable_public_key(creator_client, caplog, text, says):
    caplog.set_level(logging.DEBUG)

    response = _preview(creator_client, text)

    assert response.status_code == 200
    assert says in _errors(response)
    assert WalletKey.objects.count() == 0
    # Never echoed back (the textarea comes back empty), never logged.
    assert text not in response.content.decode()
    assert re.search(r"<textarea[^>]*>\s*</textarea>", response.content.decode())
    assert not any(text in record.getMessage() for record in caplog.records)


@pytest.mark.parametrize("text", [XPRV, SEED_WORDS])
@pytest.mark.parametrize("field", ["key", "confirmed_descriptor"])
def test_it_never_stores_or_echoes_a_secret_sent_as_a_confirmation(creator_client, text, field):
    data = {"key": BIP84_ZPUB, "confirmed_descriptor": "wpkh(x)", field: text}

    response = creator_client.post(URL, data)

    assert response.status_code == 200
    assert WalletKey.objects.count() == 0
    assert text not in response.content.decode()


def test_it_keeps_the_pasted_text_out_of_error_reports(creator_client):
    response = _preview(creator_client, XPRV)

    assert list(response.wsgi_request.sensitive_post_parameters) == ["key"]


def test_it_bounds_the_input_size(creator_client):
    huge = "xpub" + "1" * 5000

    response = _preview(creator_client, huge)

    assert response.status_code == 200
    assert "at most 4096 characters" in _errors(response)
    assert huge not in response.content.decode()


def test_it_shows_a_creator_only_their_own_keys(client):
    alice, bob = CreatorFactory(), CreatorFactory()
    client.force_login(bob.user)

    response = client.get(URL)

    assert response.status_code == 200
    assert response.context["wallet_key"] == bob.wallet_keys.get()
    assert escape(alice.wallet_keys.get().descriptor) not in response.content.decode()


def test_it_has_no_key_pages_by_id(client):
    alice, bob = CreatorFactory(), CreatorFactory()
    client.force_login(bob.user)
    alice_key = alice.wallet_keys.get()

    for url in [f"{URL}{alice_key.pk}/", f"/dashboard/{alice.pk}/key/"]:
        assert client.get(url).status_code == 404


def test_it_sends_a_user_without_a_profile_to_onboarding(client):
    client.force_login(UserFactory())

    response = _preview(client, BIP84_ZPUB)

    assert response.status_code == 302
    assert response.url == "/dashboard/welcome/"
    assert WalletKey.objects.count() == 0


def test_the_service_refuses_a_key_another_creator_registered(creator):
    CreatorFactory()  # holds the BIP84 vector key

    with pytest.raises(ValidationError, match="already registered by another creator"):
        services.wallet_key_register(
            creator=creator, key=parse_key(BIP84_ZPUB, network="mainnet"), original=BIP84_ZPUB
        )

    assert not WalletKey.objects.filter(creator=creator).exists()


def test_it_explains_a_refusal_in_the_creators_language(creator_client):
    response = creator_client.post(URL, {"key": SEED_WORDS}, HTTP_ACCEPT_LANGUAGE="fr")

    assert "Cela ressemble à des mots de récupération" in _errors(response)
    assert SEED_WORDS not in response.content.decode()
