"""A nostr event is acted on only if its id and signature verify and the right key signed it."""

from __future__ import annotations

import json

import pytest

from nwc.events import EventRefused, event_parse, event_sign, public_key_of, secret_key_generate

KEY = "7f" * 32
T0 = 1_750_000_000


def _signed(**overrides: object) -> dict[str, object]:
    event = event_sign(KEY, kind=1, content="hello", created_at=T0, tags=[["p", "ab" * 32]])
    return {**event.as_dict(), **overrides}


def test_a_signed_event_parses_back_to_the_same_event():
    event = event_sign(KEY, kind=23194, content="x", created_at=T0, tags=[["p", "ab" * 32]])

    parsed = event_parse(event.as_json(), kind=23194, author=public_key_of(KEY))

    assert parsed == event
    assert parsed.pubkey == public_key_of(KEY)
    assert parsed.tag_values("p") == ["ab" * 32]


def test_an_event_whose_content_was_changed_is_refused():
    with pytest.raises(EventRefused, match="does not verify"):
        event_parse(_signed(content="goodbye"))


def test_an_event_whose_id_and_content_were_both_changed_is_refused():
    other = event_sign(KEY, kind=1, content="goodbye", created_at=T0, tags=[["p", "ab" * 32]])
    with pytest.raises(EventRefused, match="does not verify"):
        event_parse(_signed(content="goodbye", id=other.id))


def test_an_event_claiming_another_pubkey_is_refused():
    with pytest.raises(EventRefused, match="does not verify"):
        event_parse(_signed(pubkey=public_key_of("33" * 32)))


def test_a_valid_event_from_another_key_than_expected_is_refused():
    with pytest.raises(EventRefused, match="another key"):
        event_parse(json.dumps(_signed()), author=public_key_of("33" * 32))


def test_a_valid_event_of_another_kind_than_expected_is_refused():
    with pytest.raises(EventRefused, match="kind 23195"):
        event_parse(_signed(), kind=23195)


@pytest.mark.parametrize(
    "raw",
    [
        "not json",
        "[]",
        json.dumps({"kind": 1}),
        json.dumps(_signed(tags=[["p", 7]])),
        json.dumps(_signed(created_at="1750000000")),
        json.dumps(_signed(sig="zz")),
        "x" * 200_000,
    ],
)
def test_malformed_events_are_refused(raw):
    with pytest.raises(EventRefused):
        event_parse(raw)


def test_generated_keys_are_valid_and_distinct():
    first, second = secret_key_generate(), secret_key_generate()
    assert first != second
    assert len(public_key_of(first)) == 64
    with pytest.raises(ValueError):
        public_key_of("00" * 32)
