"""The Lightning Address a viewer's wallet reads, and what its callback accepts."""

from __future__ import annotations

import hashlib
import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from btc.lnurl import (
    LnurlRefused,
    callback_answer,
    callback_parse,
    error_answer,
    invoice_description,
    lightning_address_parse,
    metadata_hash,
    pay_metadata,
    pay_request,
    verify_answer,
    verify_url,
)

SITE_NOSTR_KEY = "ab" * 32
METADATA = pay_metadata(text="A tip for Alice", identifier="alice@bitcache.test")


def _pay_request(**overrides: object) -> dict[str, object]:
    fields: dict[str, object] = {
        "callback": "https://bitcache.test/lnurlp/alice/callback",
        "metadata": METADATA,
        "min_sendable_msat": 1_000,
        "max_sendable_msat": 10_000_000_000,
        "nostr_pubkey": SITE_NOSTR_KEY,
    }
    fields.update(overrides)
    return pay_request(**fields)  # type: ignore[arg-type]


def _callback(query: dict[str, str], **overrides: object):
    fields: dict[str, object] = {"min_sendable_msat": 1_000, "max_sendable_msat": 10_000_000}
    fields.update(overrides)
    return callback_parse(query, **fields)  # type: ignore[arg-type]


def _refusal(query: dict[str, str], **overrides: object) -> str:
    with pytest.raises(LnurlRefused) as refused:
        _callback(query, **overrides)
    return refused.value.reason


def test_the_pay_request_has_every_field_a_wallet_reads():
    answer = _pay_request()

    assert answer == {
        "tag": "payRequest",
        "callback": "https://bitcache.test/lnurlp/alice/callback",
        "metadata": METADATA,
        "minSendable": 1_000,
        "maxSendable": 10_000_000_000,
        "commentAllowed": 280,
        "payerData": {"name": {"mandatory": False}},
        "allowsNostr": True,
        "nostrPubkey": SITE_NOSTR_KEY,
    }
    # The whole answer survives a JSON round trip, as a wallet receives it.
    assert json.loads(json.dumps(answer)) == answer


def test_the_metadata_is_a_json_array_with_plain_text_and_the_identifier():
    assert json.loads(METADATA) == [
        ["text/plain", "A tip for Alice"],
        ["text/identifier", "alice@bitcache.test"],
    ]


def test_the_description_hash_is_the_sha256_of_the_metadata_string_as_served():
    assert metadata_hash(invoice_description(METADATA)) == (
        hashlib.sha256(METADATA.encode("utf-8")).hexdigest()
    )


def test_with_payer_data_the_hash_commits_to_metadata_plus_payer_data_as_sent():
    payer_data = '{"name":"Bob"}'
    assert invoice_description(METADATA, payer_data=payer_data) == METADATA + payer_data


def test_with_a_zap_request_the_hash_commits_to_the_zap_request_as_sent():
    zap = '{"kind":9734}'
    assert invoice_description(METADATA, payer_data='{"name":"B"}', zap_request=zap) == zap


def test_without_a_nostr_key_zaps_are_not_announced():
    answer = _pay_request(nostr_pubkey=None, comment_allowed=0, ask_payer_name=False)
    assert "allowsNostr" not in answer
    assert "commentAllowed" not in answer
    assert "payerData" not in answer


def test_a_pay_request_with_min_above_max_is_a_programming_error():
    with pytest.raises(ValueError):
        _pay_request(min_sendable_msat=2_000, max_sendable_msat=1_000)


def test_a_valid_callback_gives_the_amount_comment_and_payer_name():
    request = _callback(
        {"amount": "21000", "comment": "great video", "payerdata": '{"name":"Bob"}'}
    )
    assert request.amount_msat == 21_000
    assert request.comment == "great video"
    assert request.payer_name == "Bob"
    assert request.payer_data == '{"name":"Bob"}'
    assert request.zap_request is None


def test_the_zap_request_is_kept_exactly_as_sent():
    raw = '{"kind": 9734, "tags": []}'
    assert _callback({"amount": "21000", "nostr": raw}).zap_request == raw


def test_amounts_outside_the_range_are_refused_with_the_range():
    assert "between 1000 and 10000000" in _refusal({"amount": "999"})
    assert "between" in _refusal({"amount": "10000001"})


def test_a_missing_or_malformed_amount_is_refused():
    for amount in ["", "1.5", "-1000", "1e6", "abc", "9" * 30]:
        assert "whole number" in _refusal({"amount": amount})


def test_a_comment_longer_than_allowed_is_refused():
    assert _callback({"amount": "1000", "comment": "x" * 280}).comment == "x" * 280
    assert "at most 280" in _refusal({"amount": "1000", "comment": "x" * 281})
    assert "not accepted" in _refusal({"amount": "1000", "comment": "x"}, comment_allowed=0)


def test_payer_data_must_be_an_object_with_only_the_fields_asked_for():
    for payer_data in ["[]", "not json", '"Bob"']:
        assert "JSON object" in _refusal({"amount": "1000", "payerdata": payer_data})
    assert "did not ask" in _refusal({"amount": "1000", "payerdata": '{"email":"b@x.test"}'})
    assert "did not ask" in _refusal(
        {"amount": "1000", "payerdata": '{"name":"Bob"}'}, ask_payer_name=False
    )
    assert "string" in _refusal({"amount": "1000", "payerdata": '{"name":7}'})
    assert "too long" in _refusal({"amount": "1000", "payerdata": json.dumps({"name": "x" * 101})})


def test_the_callback_answer_carries_the_invoice_no_routes_and_the_verify_url():
    url = verify_url("https://bitcache.test/lnurlp/verify/", "cd" * 32)
    answer = callback_answer(pr="lnbcrt1...", verify=url, success_message="Thank you!")

    assert url == "https://bitcache.test/lnurlp/verify/" + "cd" * 32
    assert answer == {
        "pr": "lnbcrt1...",
        "routes": [],
        "successAction": {"tag": "message", "message": "Thank you!"},
        "verify": url,
    }


def test_a_success_message_is_cut_to_lud09s_144_characters():
    answer = callback_answer(pr="lnbc1", verify="https://x.test/v", success_message="y" * 200)
    assert answer["successAction"] == {"tag": "message", "message": "y" * 144}


def test_verify_and_error_answers_have_the_lud_shapes():
    assert verify_answer(settled=True, pr="lnbc1", preimage="ef" * 32) == {
        "status": "OK",
        "settled": True,
        "preimage": "ef" * 32,
        "pr": "lnbc1",
    }
    assert error_answer("This creator is not accepting tips.") == {
        "status": "ERROR",
        "reason": "This creator is not accepting tips.",
    }
    with pytest.raises(ValueError):
        verify_url("https://x.test/v", "../../etc")


def test_a_lightning_address_gives_its_well_known_url():
    address = lightning_address_parse("  lightning:alice.b+tips@Wallet.Example.com ")
    assert str(address) == "alice.b+tips@wallet.example.com"
    assert address.url == "https://wallet.example.com/.well-known/lnurlp/alice.b+tips"
    onion = lightning_address_parse("bob@abcdefghij234567.onion")
    assert onion.url == "http://abcdefghij234567.onion/.well-known/lnurlp/bob"


def test_malformed_lightning_addresses_are_refused_with_a_reason():
    for text in [
        "alice",
        "Alice@wallet.example",
        "a@b@c.example",
        "al ice@x.example",
        "alice@localhost",
        "alice@127.0.0.1",
        "alice@-x.example",
        "a/../b@x.example",
    ]:
        with pytest.raises(ValueError) as refused:
            lightning_address_parse(text)
        assert str(refused.value)


@given(st.text(max_size=80))
def test_any_text_is_an_address_or_refused(text: str):
    try:
        address = lightning_address_parse(text)
    except ValueError:
        return
    assert address.url.endswith("/.well-known/lnurlp/" + address.username)
    assert "/" not in address.username and "/" not in address.domain
