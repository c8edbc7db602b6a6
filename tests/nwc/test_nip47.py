"""Nostr Wallet Connect: a receive-only connection; wallet answers checked, never trusted."""

from __future__ import annotations

import pytest

from nwc.events import EventRefused, event_sign, public_key_of
from nwc.nip47 import (
    ConnectionRefused,
    ConnectionUri,
    capabilities_check,
    connection_uri_parse,
    info_build,
    info_parse,
    make_invoice_params,
    notification_build,
    notification_parse,
    request_build,
    request_parse,
    response_build,
    response_parse,
)

WALLET = "a1" * 32
CLIENT_SECRET = "c3" * 32
MALLORY = "e5" * 32
WALLET_PUB = public_key_of(WALLET)
URI = (
    f"nostr+walletconnect://{WALLET_PUB}?relay=wss%3A%2F%2Frelay.example&relay=ws://127.0.0.1:7447"
    f"&secret={CLIENT_SECRET}&lud16=alice%40wallet.example"
)
T0 = 1_750_000_000
RECEIVE_ONLY = ["make_invoice", "lookup_invoice", "get_info", "notifications"]


def _connection() -> ConnectionUri:
    return connection_uri_parse(URI)


def _info(capabilities=RECEIVE_ONLY, **kwargs):
    event = info_build(WALLET, capabilities=capabilities, created_at=T0, **kwargs)
    return info_parse(event.as_json(), wallet_pubkey=WALLET_PUB)


def _refusal(capabilities) -> ConnectionRefused:
    with pytest.raises(ConnectionRefused) as refused:
        capabilities_check(_info(capabilities))
    return refused.value


def test_a_connection_uri_gives_the_wallet_its_relays_and_our_key():
    connection = _connection()

    assert connection.wallet_pubkey == WALLET_PUB
    assert connection.relays == ("wss://relay.example", "ws://127.0.0.1:7447")
    assert connection.client_pubkey == public_key_of(CLIENT_SECRET)
    assert connection.lud16 == "alice@wallet.example"
    assert CLIENT_SECRET not in repr(connection)


@pytest.mark.parametrize(
    "uri",
    [
        "",
        "https://example.com",
        URI.replace("nostr+walletconnect", "nostrwalletconnect"),
        URI.replace(WALLET_PUB, "zz" * 32),
        URI.replace(f"&secret={CLIENT_SECRET}", ""),
        URI.replace(CLIENT_SECRET, "00" * 32),
        URI + "&secret=" + "d4" * 32,
        f"nostr+walletconnect://{WALLET_PUB}?secret={CLIENT_SECRET}",
        URI.replace("ws://127.0.0.1:7447", "https://relay.example"),
    ],
)
def test_malformed_connection_uris_are_refused_without_echoing_the_secret(uri):
    with pytest.raises(ConnectionRefused) as refused:
        connection_uri_parse(uri)
    assert CLIENT_SECRET not in refused.value.message
    assert "00" * 32 not in refused.value.message


def test_a_receive_only_connection_is_accepted_with_nip44():
    assert capabilities_check(_info()) == "nip44_v2"


@pytest.mark.parametrize(
    "spending", ["pay_invoice", "pay_keysend", "multi_pay_invoice", "multi_pay_keysend"]
)
def test_a_connection_that_can_pay_is_refused_saying_how_to_make_a_receive_only_one(spending):
    refused = _refusal([*RECEIVE_ONLY, spending])

    assert refused.code == "can_spend"
    assert spending in refused.message
    assert "only make_invoice and lookup_invoice" in refused.message


def test_a_connection_without_make_invoice_or_lookup_invoice_is_refused():
    refused = _refusal(["make_invoice", "get_info"])
    assert refused.code == "missing_capability"
    assert "lookup_invoice" in refused.message
    assert _refusal(["lookup_invoice"]).code == "missing_capability"


def test_a_wallet_that_announces_no_encryption_speaks_nip04_only():
    event = event_sign(WALLET, kind=13194, content=" ".join(RECEIVE_ONLY), created_at=T0)
    info = info_parse(event.as_json(), wallet_pubkey=WALLET_PUB)
    assert info.encryptions == ("nip04",)
    assert capabilities_check(info) == "nip04"


def test_nip44_is_chosen_when_the_wallet_announces_both():
    assert capabilities_check(_info(encryptions=("nip04", "nip44_v2"))) == "nip44_v2"


def test_an_info_event_signed_by_another_key_is_refused():
    forged = info_build(MALLORY, capabilities=RECEIVE_ONLY, created_at=T0)
    with pytest.raises(EventRefused, match="another key"):
        info_parse(forged.as_json(), wallet_pubkey=WALLET_PUB)


def _make_invoice_request(scheme="nip44_v2"):
    params = make_invoice_params(amount_msat=21_000, description_hash="ab" * 32, expiry=600)
    return request_build(
        _connection(), "make_invoice", params, scheme=scheme, created_at=T0, expiration=T0 + 30
    )


def test_the_wallet_reads_our_request_and_we_read_its_answer():
    request = _make_invoice_request()
    seen = request_parse(request.as_json(), wallet_secret=WALLET)
    answer = response_build(
        WALLET,
        seen,
        created_at=T0 + 1,
        result={"invoice": "lnbcrt210n1...", "payment_hash": "cd" * 32},
    )

    response = response_parse(answer.as_json(), connection=_connection(), request=request)

    assert request.kind == 23194
    assert request.tag_values("p") == [WALLET_PUB]
    assert request.tag("encryption") == ("encryption", "nip44_v2")
    assert "make_invoice" not in request.content  # encrypted
    assert seen.method == "make_invoice"
    assert seen.params == {"amount": 21_000, "description_hash": "ab" * 32, "expiry": 600}
    assert response.result == {"invoice": "lnbcrt210n1...", "payment_hash": "cd" * 32}
    assert response.error_code is None


def test_a_legacy_nip04_wallet_is_spoken_to_in_nip04():
    request = _make_invoice_request(scheme="nip04")
    seen = request_parse(request.as_json(), wallet_secret=WALLET)
    answer = response_build(WALLET, seen, created_at=T0 + 1, result={"invoice": "lnbc1"})

    assert request.tag("encryption") is None
    assert "?iv=" in request.content
    assert response_parse(answer.as_json(), connection=_connection(), request=request).result == {
        "invoice": "lnbc1"
    }


def test_a_wallet_error_is_returned_as_an_error_not_a_result():
    request = _make_invoice_request()
    seen = request_parse(request.as_json(), wallet_secret=WALLET)
    answer = response_build(WALLET, seen, created_at=T0 + 1, error=("RESTRICTED", "not allowed"))

    response = response_parse(answer.as_json(), connection=_connection(), request=request)

    assert (response.result, response.error_code, response.error_message) == (
        None,
        "RESTRICTED",
        "not allowed",
    )


def test_a_forged_answer_signed_by_another_key_is_refused():
    request = _make_invoice_request()
    seen = request_parse(request.as_json(), wallet_secret=WALLET)
    forged = response_build(MALLORY, seen, created_at=T0 + 1, result={"invoice": "lnbc1"})

    with pytest.raises(EventRefused, match="another key"):
        response_parse(forged.as_json(), connection=_connection(), request=request)


def test_an_answer_to_another_request_is_refused():
    first, second = _make_invoice_request(), _make_invoice_request()
    seen = request_parse(first.as_json(), wallet_secret=WALLET)
    answer = response_build(WALLET, seen, created_at=T0 + 1, result={"invoice": "lnbc1"})

    with pytest.raises(EventRefused, match="another request"):
        response_parse(answer.as_json(), connection=_connection(), request=second)


def test_an_answer_for_another_method_is_refused():
    request = _make_invoice_request()
    seen = request_parse(request.as_json(), wallet_secret=WALLET)
    lookup = type(seen)(seen.event, seen.client_pubkey, "lookup_invoice", {}, seen.scheme)
    answer = response_build(WALLET, lookup, created_at=T0 + 1, result={"settled_at": T0})

    with pytest.raises(EventRefused, match="another method"):
        response_parse(answer.as_json(), connection=_connection(), request=request)


def test_a_request_for_another_wallet_is_not_read_by_this_one():
    with pytest.raises(EventRefused, match="not addressed"):
        request_parse(_make_invoice_request().as_json(), wallet_secret=MALLORY)


def test_a_payment_notification_is_read_and_one_from_another_key_refused():
    client = public_key_of(CLIENT_SECRET)
    body = {"type": "incoming", "payment_hash": "cd" * 32, "amount": 21_000, "settled_at": T0}
    notice = notification_build(
        WALLET, client, notification_type="payment_received", notification=body, created_at=T0
    )
    forged = notification_build(
        MALLORY, client, notification_type="payment_received", notification=body, created_at=T0
    )

    parsed = notification_parse(notice.as_json(), connection=_connection())

    assert notice.kind == 23197
    assert (parsed.notification_type, parsed.notification) == ("payment_received", body)
    with pytest.raises(EventRefused, match="another key"):
        notification_parse(forged.as_json(), connection=_connection())


def test_a_legacy_wallets_nip04_notification_is_read():
    notice = notification_build(
        WALLET,
        public_key_of(CLIENT_SECRET),
        notification_type="payment_received",
        notification={"payment_hash": "cd" * 32},
        created_at=T0,
        scheme="nip04",
    )
    assert notice.kind == 23196
    parsed = notification_parse(notice.as_json(), connection=_connection())
    assert parsed.notification == {"payment_hash": "cd" * 32}


def test_a_notification_for_another_connection_is_refused():
    notice = notification_build(
        WALLET,
        public_key_of(MALLORY),
        notification_type="payment_received",
        notification={"payment_hash": "cd" * 32},
        created_at=T0,
    )
    with pytest.raises(EventRefused, match="not addressed"):
        notification_parse(notice.as_json(), connection=_connection())
