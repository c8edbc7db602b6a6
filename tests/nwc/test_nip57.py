"""Zaps: a zap request is checked as NIP-57 says; the paid zap gets a receipt signed by the site."""

from __future__ import annotations

import json

import pytest

from btc.bolt11 import description_hash_of, invoice_decode, invoice_sign
from btc.lnurl import invoice_description, metadata_hash
from nwc.events import EventRefused, event_sign, public_key_of
from nwc.nip57 import zap_receipt_build, zap_receipt_parse, zap_request_check

VIEWER = "b2" * 32
CREATOR_NOSTR = public_key_of("c7" * 32)
SITE = "d9" * 32
NOTE_ID = "ee" * 32
T0 = 1_750_000_000


def _zap_request(tags=None, secret=VIEWER, kind=9734) -> str:
    if tags is None:
        tags = [
            ["relays", "wss://relay.example", "ws://127.0.0.1:7447", "https://not-a-relay"],
            ["amount", "21000"],
            ["lnurl", "lnurl1dp68gurn8ghj7"],
            ["p", CREATOR_NOSTR],
            ["e", NOTE_ID],
        ]
    return event_sign(
        secret, kind=kind, content="Great stream!", created_at=T0, tags=tags
    ).as_json()


def _refusal(raw: str, amount_msat: int = 21_000) -> str:
    with pytest.raises(EventRefused) as refused:
        zap_request_check(raw, amount_msat=amount_msat)
    return str(refused.value)


def test_a_valid_zap_request_gives_recipient_note_relays_and_amount():
    zap = zap_request_check(_zap_request(), amount_msat=21_000)

    assert zap.recipient == CREATOR_NOSTR
    assert zap.event_id == NOTE_ID
    assert zap.relays == ("wss://relay.example", "ws://127.0.0.1:7447")
    assert zap.amount_msat == 21_000
    assert zap.lnurl == "lnurl1dp68gurn8ghj7"
    assert zap.sender == public_key_of(VIEWER)


def test_a_zap_request_with_a_broken_signature_is_refused():
    data = json.loads(_zap_request())
    data["content"] = "changed"
    assert "does not verify" in _refusal(json.dumps(data))


def test_an_event_of_another_kind_is_not_a_zap_request():
    assert "kind 9734" in _refusal(_zap_request(kind=1))


def test_a_zap_request_without_tags_is_refused():
    assert "no tags" in _refusal(_zap_request(tags=[]))


def test_a_zap_request_must_name_exactly_one_recipient():
    assert "exactly one recipient" in _refusal(_zap_request(tags=[["relays", "wss://r.example"]]))
    two = [["p", CREATOR_NOSTR], ["p", public_key_of(SITE)]]
    assert "exactly one recipient" in _refusal(_zap_request(tags=two))


def test_a_zap_request_may_name_at_most_one_event():
    tags = [["p", CREATOR_NOSTR], ["e", NOTE_ID], ["e", "ff" * 32]]
    assert "at most one event" in _refusal(_zap_request(tags=tags))


def test_a_zap_request_for_another_amount_than_the_callbacks_is_refused():
    assert "differs" in _refusal(_zap_request(), amount_msat=22_000)
    malformed = [["p", CREATOR_NOSTR], ["amount", "21 sats"]]
    assert "malformed" in _refusal(_zap_request(tags=malformed))


def test_without_an_amount_tag_any_callback_amount_is_accepted():
    zap = zap_request_check(_zap_request(tags=[["p", CREATOR_NOSTR]]), amount_msat=5_000)
    assert zap.amount_msat is None
    assert zap.relays == ()


def test_an_a_tag_must_be_an_event_coordinate():
    good = [["p", CREATOR_NOSTR], ["a", f"30311:{CREATOR_NOSTR}:live-1"]]
    assert zap_request_check(_zap_request(tags=good), amount_msat=1).coordinate == (
        f"30311:{CREATOR_NOSTR}:live-1"
    )
    bad = [["p", CREATOR_NOSTR], ["a", "not-a-coordinate"]]
    assert "coordinate" in _refusal(_zap_request(tags=bad))


def test_a_p_tag_for_the_zapper_must_name_the_requests_signer():
    own = [["p", CREATOR_NOSTR], ["P", public_key_of(VIEWER)]]
    assert zap_request_check(_zap_request(tags=own), amount_msat=1).sender == public_key_of(VIEWER)
    other = [["p", CREATOR_NOSTR], ["P", public_key_of(SITE)]]
    assert "own signer" in _refusal(_zap_request(tags=other))


def test_the_zap_receipt_is_signed_by_the_site_and_carries_the_request_and_invoice():
    raw = _zap_request()
    zap = zap_request_check(raw, amount_msat=21_000)
    # The invoice for a zap commits to the zap request exactly as sent.
    description_hash = metadata_hash(invoice_description("[]", zap_request=raw))
    pr = invoice_sign(
        private_key=bytes.fromhex("5b" * 32),
        network="regtest",
        amount_msat=21_000,
        payment_hash="ab" * 32,
        payment_secret="cd" * 32,
        timestamp=T0,
        description_hash=description_hash,
    )

    receipt = zap_receipt_build(SITE, zap, bolt11=pr, paid_at=T0 + 5, preimage="12" * 32)
    parsed = zap_receipt_parse(receipt.as_json(), site_pubkey=public_key_of(SITE))

    assert parsed.kind == 9735
    assert parsed.created_at == T0 + 5
    assert parsed.content == ""
    assert parsed.tag_values("p") == [CREATOR_NOSTR]
    assert parsed.tag_values("e") == [NOTE_ID]
    assert parsed.tag_values("P") == [public_key_of(VIEWER)]
    assert parsed.tag_values("bolt11") == [pr]
    assert parsed.tag_values("description") == [raw]
    assert parsed.tag_values("preimage") == ["12" * 32]
    # What a client checks: the invoice's description hash is the hash of the description tag.
    assert invoice_decode(pr).description_hash == description_hash_of(raw)


def test_a_receipt_signed_by_another_key_than_the_sites_is_refused():
    zap = zap_request_check(_zap_request(), amount_msat=21_000)
    forged = zap_receipt_build(VIEWER, zap, bolt11="lnbc1", paid_at=T0)
    with pytest.raises(EventRefused, match="another key"):
        zap_receipt_parse(forged.as_json(), site_pubkey=public_key_of(SITE))
