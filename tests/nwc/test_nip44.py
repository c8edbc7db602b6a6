"""NIP-44 v2, as nostr-sdk implements it, checked against the NIP's official test vectors.

The fixture is a subset of nip44.vectors.json; its "source" field says where it was copied
from. nostr-sdk picks its own random nonce, so the vectors are checked by decryption (both
directions), by the payload length (the padding scheme), and by the keys they refuse.
"""

from __future__ import annotations

import base64
import json
from pathlib import Path

import pytest

from nwc.encryption import DecryptionFailed, decrypt, encrypt, scheme_of
from nwc.events import public_key_of

VECTORS = json.loads((Path(__file__).parent / "nip44_vectors.json").read_text("utf-8"))["v2"]
ENCRYPT_DECRYPT = VECTORS["valid"]["encrypt_decrypt"]
# Measured: nostr-sdk 0.45 refuses plaintexts above 65408 bytes, though NIP-44 allows up to
# 65535. NIP-47 messages are a few hundred bytes, so this never matters to Bitcache.
NOSTR_SDK_MAX_PLAINTEXT = 65408
ALICE = "11" * 32
BOB = "22" * 32


@pytest.mark.parametrize("vector", ENCRYPT_DECRYPT, ids=lambda v: v["plaintext"][:12])
def test_each_official_payload_decrypts_to_its_plaintext_for_both_parties(vector):
    pub1 = public_key_of(vector["sec1"])
    pub2 = public_key_of(vector["sec2"])
    payload = vector["ciphertext"]

    assert decrypt(vector["sec2"], pub1, payload, scheme="nip44_v2") == vector["plaintext"]
    assert decrypt(vector["sec1"], pub2, payload, scheme="nip44_v2") == vector["plaintext"]


@pytest.mark.parametrize("vector", ENCRYPT_DECRYPT, ids=lambda v: v["plaintext"][:12])
def test_a_payload_with_any_byte_changed_is_refused(vector):
    raw = bytearray(base64.b64decode(vector["ciphertext"]))
    pub1 = public_key_of(vector["sec1"])
    for position in (1, 40, len(raw) - 40, len(raw) - 1):  # nonce, ciphertext, ..., MAC
        altered = raw.copy()
        altered[position] ^= 0x01
        with pytest.raises(DecryptionFailed):
            decrypt(vector["sec2"], pub1, base64.b64encode(altered).decode(), scheme="nip44_v2")


def test_a_payload_decrypted_with_a_third_key_is_refused():
    vector = ENCRYPT_DECRYPT[2]
    with pytest.raises(DecryptionFailed):
        decrypt("33" * 32, public_key_of(vector["sec1"]), vector["ciphertext"], scheme="nip44_v2")


def test_an_unknown_version_byte_is_refused():
    vector = ENCRYPT_DECRYPT[0]
    raw = bytearray(base64.b64decode(vector["ciphertext"]))
    for version in (0, 1, 3):
        raw[0] = version
        with pytest.raises(DecryptionFailed):
            decrypt(
                vector["sec2"],
                public_key_of(vector["sec1"]),
                base64.b64encode(raw).decode(),
                scheme="nip44_v2",
            )


@pytest.mark.parametrize(
    ("length", "padded"),
    [v for v in VECTORS["valid"]["calc_padded_len"] if v[0] <= NOSTR_SDK_MAX_PLAINTEXT],
)
def test_the_payload_length_follows_the_official_padding(length, padded):
    payload = encrypt(ALICE, public_key_of(BOB), "x" * length, scheme="nip44_v2")
    # version (1) + nonce (32) + length prefix (2) + padded plaintext + MAC (32)
    assert len(base64.b64decode(payload)) == 1 + 32 + 2 + padded + 32


def test_nostr_sdk_refuses_plaintexts_just_below_nip44s_maximum():
    encrypt(ALICE, public_key_of(BOB), "x" * NOSTR_SDK_MAX_PLAINTEXT, scheme="nip44_v2")
    with pytest.raises(ValueError):
        encrypt(ALICE, public_key_of(BOB), "x" * (NOSTR_SDK_MAX_PLAINTEXT + 1), scheme="nip44_v2")


def test_our_own_payloads_round_trip_and_differ_each_time():
    first = encrypt(ALICE, public_key_of(BOB), "make_invoice 21 sats", scheme="nip44_v2")
    second = encrypt(ALICE, public_key_of(BOB), "make_invoice 21 sats", scheme="nip44_v2")

    assert first != second  # a fresh random nonce each time
    assert decrypt(BOB, public_key_of(ALICE), first, scheme="nip44_v2") == "make_invoice 21 sats"
    assert scheme_of(first) == "nip44_v2"


@pytest.mark.parametrize("length", VECTORS["invalid"]["encrypt_msg_lengths"])
def test_messages_of_invalid_length_are_not_encrypted(length):
    with pytest.raises(ValueError):
        encrypt(ALICE, public_key_of(BOB), "x" * length, scheme="nip44_v2")


@pytest.mark.parametrize(
    "vector", VECTORS["invalid"]["get_conversation_key"], ids=lambda v: v["note"]
)
def test_the_official_invalid_key_pairs_are_refused(vector):
    with pytest.raises(ValueError):
        encrypt(vector["sec1"], vector["pub2"], "a", scheme="nip44_v2")


def test_nip04_payloads_round_trip_for_legacy_wallets():
    payload = encrypt(ALICE, public_key_of(BOB), "get_info", scheme="nip04")

    assert scheme_of(payload) == "nip04"
    assert decrypt(BOB, public_key_of(ALICE), payload, scheme="nip04") == "get_info"
