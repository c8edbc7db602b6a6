"""The websocket client (nwc/relay.py) against a real relay on loopback and the NIP-47
wallet-service double (tests/nwc/wallet_service.py): real signatures, real NIP-44, real
signed BOLT11 invoices."""

from __future__ import annotations

import logging
import socket
import threading
import time
from urllib.parse import urlsplit

import pytest

from btc.bolt11 import InvoiceRefused, description_hash_of, invoice_check
from nwc.events import event_sign, secret_key_generate
from nwc.nip47 import INFO_KIND, make_invoice_params
from nwc.relay import (
    InfoMissing,
    NotificationListener,
    RelayBlocked,
    RelayError,
    RelayTimeout,
    info_fetch,
    publish,
    wallet_request,
)
from tests.nwc.local_relay import HostileRelay, LocalRelay, free_port
from tests.nwc.wallet_service import RECEIVE_ONLY, WalletService, forged_response

HASH = description_hash_of('[["text/plain","A tip for alice"]]')


def ask_invoice(connection, *, amount_msat=21_000, timeout=5.0, **kw):
    return wallet_request(
        connection,
        "make_invoice",
        make_invoice_params(amount_msat=amount_msat, description_hash=HASH, expiry=600),
        scheme="nip44_v2",
        timeout=timeout,
        **kw,
    )


def checked(response, *, amount_msat=21_000):
    return invoice_check(
        str(response.result["invoice"]),
        amount_msat=amount_msat,
        network="regtest",
        description_hash=HASH,
        now=int(time.time()),
    )


# publish


def test_publish_returns_the_relays_that_accepted_the_event(relay):
    event = event_sign(secret_key_generate(), kind=1, content="hello", created_at=int(time.time()))

    assert publish([relay.url], event, timeout=5) == [relay.url]


def test_publish_reports_a_relay_that_refuses_a_tampered_event(relay):
    event = event_sign(secret_key_generate(), kind=1, content="hello", created_at=int(time.time()))
    tampered = event.as_json().replace('"hello"', '"hullo"')

    with pytest.raises(RelayError) as refused:
        publish([relay.url], tampered, timeout=5)

    assert relay.url in refused.value.problems


def test_publish_succeeds_when_one_of_two_relays_is_down(relay):
    dead = f"ws://127.0.0.1:{free_port()}"
    event = event_sign(secret_key_generate(), kind=1, content="hi", created_at=int(time.time()))

    assert publish([dead, relay.url], event, timeout=5, attempts=2) == [relay.url]


def test_publish_retries_a_dropped_connection(relay, cutter):
    cutter.refuse_next(2)
    event = event_sign(secret_key_generate(), kind=1, content="hi", created_at=int(time.time()))

    assert publish([cutter.url], event, timeout=5, attempts=3) == [cutter.url]
    assert cutter.accepted == 3


def test_publish_gives_up_and_says_why_when_no_relay_answers():
    dead = f"ws://127.0.0.1:{free_port()}"
    event = event_sign(secret_key_generate(), kind=1, content="hi", created_at=int(time.time()))

    with pytest.raises(RelayError) as failed:
        publish([dead], event, timeout=3, attempts=2)

    assert failed.value.problems == {dead: "connection refused"}


# info


def test_it_fetches_the_wallets_capabilities(wallet):
    info = info_fetch(wallet.connection(), timeout=5)

    assert info.capabilities == frozenset(RECEIVE_ONLY)
    assert info.encryptions == ("nip44_v2",)


def test_a_wallet_without_an_info_event_is_reported_as_such(relay):
    silent = WalletService(relay.url, publish_info=False)

    with pytest.raises(InfoMissing):
        info_fetch(silent.connection(), timeout=5)


def test_a_forged_info_event_is_ignored(relay, wallet):
    def forged_info(filter_):
        stranger = secret_key_generate()
        event = event_sign(stranger, kind=INFO_KIND, content="make_invoice lookup_invoice pay_x",
                           created_at=int(time.time())).as_dict()  # fmt: skip
        event["pubkey"] = wallet.pubkey  # claims to be the wallet; the signature says no
        return [event]

    hostile = HostileRelay(on_req=forged_info)
    try:
        info = info_fetch(wallet.connection(hostile.url, relay.url), timeout=5)
    finally:
        hostile.close()

    assert info.capabilities == frozenset(RECEIVE_ONLY)


# requests


def test_make_invoice_returns_a_real_invoice_for_what_was_asked(wallet):
    response = ask_invoice(wallet.connection())

    assert response.error_code is None
    assert checked(response) in wallet.invoices


def test_lookup_invoice_tells_whether_it_was_paid(wallet):
    connection = wallet.connection()
    payment_hash = checked(ask_invoice(connection))

    def lookup():
        return wallet_request(
            connection, "lookup_invoice", {"payment_hash": payment_hash},
            scheme="nip44_v2", timeout=5,
        ).result  # fmt: skip

    assert "preimage" not in lookup()
    wallet.pay(payment_hash)
    assert lookup()["preimage"] == wallet.invoices[payment_hash].preimage


def test_an_answer_signed_by_another_key_is_ignored_and_the_real_one_taken(relay):
    wallet = WalletService(relay.url, behaviour="forged").start()
    try:
        response = ask_invoice(wallet.connection())
    finally:
        wallet.stop()

    assert checked(response) in wallet.invoices


def test_forged_answers_from_a_lying_relay_never_win(relay, wallet):
    def lies(request_event):
        replay = dict(request_event, id="f" * 64)
        return [forged_response(request_event, wallet.pubkey), replay]

    hostile = HostileRelay(on_event=lies)
    try:
        response = ask_invoice(wallet.connection(hostile.url, relay.url))
        with pytest.raises(RelayTimeout):
            ask_invoice(wallet.connection(hostile.url), timeout=1.5)
    finally:
        hostile.close()

    assert checked(response) in wallet.invoices


def test_a_late_answer_is_a_timeout_not_a_hang(relay):
    wallet = WalletService(relay.url, behaviour="late").start()
    try:
        started = time.monotonic()
        with pytest.raises(RelayTimeout):
            ask_invoice(wallet.connection(), timeout=1.0)
        elapsed = time.monotonic() - started
    finally:
        wallet.stop()

    assert elapsed < 5


def test_a_wallet_that_never_answers_is_a_timeout(relay):
    wallet = WalletService(relay.url, behaviour="silent").start()
    try:
        with pytest.raises(RelayTimeout) as timed_out:
            ask_invoice(wallet.connection(), timeout=1.0)
    finally:
        wallet.stop()

    assert "no answer within 1 s" in str(timed_out.value)
    assert len(wallet.requests) == 1


def test_a_wallet_error_comes_back_as_an_error_answer(relay):
    wallet = WalletService(relay.url, behaviour="error").start()
    try:
        response = ask_invoice(wallet.connection())
    finally:
        wallet.stop()

    assert (response.error_code, response.result) == ("INTERNAL", None)


@pytest.mark.parametrize(
    ("behaviour", "code"),
    [("wrong_amount", "wrong_amount"), ("wrong_description_hash", "wrong_description_hash")],
)
def test_an_invoice_for_something_else_is_caught_by_the_invoice_check(relay, behaviour, code):
    wallet = WalletService(relay.url, behaviour=behaviour).start()
    try:
        response = ask_invoice(wallet.connection())
    finally:
        wallet.stop()

    with pytest.raises(InvoiceRefused) as refused:
        checked(response)
    assert refused.value.code == code


def test_the_first_valid_answer_from_several_relays_wins(relay, wallet):
    dead = f"ws://127.0.0.1:{free_port()}"

    response = ask_invoice(wallet.connection(dead, relay.url))

    assert checked(response) in wallet.invoices
    assert len(wallet.requests) == 1  # the same request through one relay: answered once


def test_a_dropped_relay_connection_is_retried(relay, cutter, wallet):
    cutter.refuse_next(1)

    response = ask_invoice(wallet.connection(cutter.url), attempts=3)

    assert checked(response) in wallet.invoices
    assert cutter.accepted == 2


def test_a_wallet_that_dropped_its_connection_answers_once_back(relay, wallet):
    wallet.drop()
    assert wallet.wait_subscribed(5)

    assert checked(ask_invoice(wallet.connection())) in wallet.invoices


def test_no_reachable_relay_is_reported_with_each_relays_problem():
    wallet = WalletService(f"ws://127.0.0.1:{free_port()}", publish_info=False)

    with pytest.raises(RelayError) as failed:
        ask_invoice(wallet.connection(), timeout=3, attempts=2)

    assert list(failed.value.problems.values()) == ["connection refused"]


def test_an_opener_can_refuse_a_relay_before_any_connection(wallet, cutter):
    def private_addresses_refused(url, timeout):
        raise RelayBlocked(url)

    with pytest.raises(RelayError) as refused:
        ask_invoice(wallet.connection(cutter.url), opener=private_addresses_refused)

    assert refused.value.problems == {cutter.url: "refused by policy"}
    assert cutter.accepted == 0
    assert wallet.requests == []


def test_the_opener_makes_the_connection_the_client_uses(wallet):
    opened = []

    def opener(url, timeout):
        opened.append(url)
        return socket.create_connection(("127.0.0.1", urlsplit(url).port), timeout=timeout)

    response = ask_invoice(wallet.connection(), opener=opener)

    assert checked(response) in wallet.invoices
    assert opened == [wallet.relay_url]


def test_the_connection_secret_never_reaches_the_logs_or_reprs(wallet, caplog):
    caplog.set_level(logging.DEBUG)
    forged = WalletService(wallet.relay_url, behaviour="forged", client_secret=wallet.client_secret)
    connection = wallet.connection()

    ask_invoice(connection)
    with pytest.raises(RelayError) as failed:
        ask_invoice(wallet.connection(f"ws://127.0.0.1:{free_port()}"), timeout=2)

    texts = (caplog.text, repr(connection), str(failed.value), repr(failed.value), repr(forged))
    for text in texts:
        assert wallet.client_secret not in text


# notifications


class Payments:
    def __init__(self):
        self.calls = []
        self.arrived = threading.Event()

    def __call__(self, key, payment_hash, preimage):
        self.calls.append((key, payment_hash, preimage))
        self.arrived.set()

    def wait(self, count=1, timeout=5):
        deadline = time.monotonic() + timeout
        while len(self.calls) < count and time.monotonic() < deadline:
            self.arrived.wait(0.05)
            self.arrived.clear()
        return len(self.calls) >= count


def test_a_payment_notification_calls_on_payment_once_even_if_sent_twice(wallet):
    payments = Payments()
    invoice = wallet.invoice_for(amount_msat=1000)
    listener = NotificationListener({"alice": wallet.connection()}, payments).start()
    try:
        assert listener.wait_subscribed(5)
        wallet.pay(invoice.payment_hash, times=2)
        assert payments.wait(1)
        # A marker after the duplicate: once it arrives, the duplicate has been handled.
        marker = wallet.invoice_for(amount_msat=2000)
        wallet.pay(marker.payment_hash)
        assert payments.wait(2)
    finally:
        listener.stop()

    assert payments.calls == [
        ("alice", invoice.payment_hash, invoice.preimage),
        ("alice", marker.payment_hash, marker.preimage),
    ]


def test_the_same_payment_through_two_relays_counts_once(relay):
    second_relay = LocalRelay().start()
    wallet = WalletService(relay.url).start()
    payments = Payments()
    both = wallet.connection(relay.url, second_relay.url)
    listener = NotificationListener({"alice": both}, payments).start()
    try:
        assert listener.wait_subscribed(5)
        invoice = wallet.invoice_for(amount_msat=1000)
        wallet.pay(invoice.payment_hash, relays=(relay.url, second_relay.url))
        marker = wallet.invoice_for(amount_msat=1000)
        wallet.pay(marker.payment_hash, relays=(second_relay.url,))
        wallet.pay(marker.payment_hash, relays=(relay.url,))
        assert payments.wait(2)
    finally:
        listener.stop()
        wallet.stop()
        second_relay.stop()

    assert [call[1] for call in payments.calls] == [invoice.payment_hash, marker.payment_hash]


def test_a_legacy_nip04_wallets_notifications_are_understood(relay):
    wallet = WalletService(relay.url, encryptions=("nip04",)).start()
    payments = Payments()
    listener = NotificationListener({"alice": wallet.connection()}, payments).start()
    try:
        assert listener.wait_subscribed(5)
        invoice = wallet.invoice_for(amount_msat=1000)
        wallet.pay(invoice.payment_hash)
        assert payments.wait(1)
    finally:
        listener.stop()
        wallet.stop()

    assert payments.calls == [("alice", invoice.payment_hash, invoice.preimage)]


def test_notifications_from_another_key_are_ignored(wallet):
    payments = Payments()
    listener = NotificationListener({"alice": wallet.connection()}, payments).start()
    try:
        assert listener.wait_subscribed(5)
        forged = wallet.invoice_for(amount_msat=1000)
        publish([wallet.relay_url], wallet.notification(forged, secret=secret_key_generate()))
        real = wallet.invoice_for(amount_msat=1000)
        wallet.pay(real.payment_hash)
        assert payments.wait(1)
    finally:
        listener.stop()

    assert [call[1] for call in payments.calls] == [real.payment_hash]


def test_notifications_reach_the_right_connection_among_several(relay):
    first, second = WalletService(relay.url).start(), WalletService(relay.url).start()
    payments = Payments()
    listener = NotificationListener(
        {"alice": first.connection(), "bob": second.connection()}, payments
    ).start()
    try:
        assert listener.wait_subscribed(5)
        paid = second.invoice_for(amount_msat=5000)
        second.pay(paid.payment_hash)
        assert payments.wait(1)
    finally:
        listener.stop()
        first.stop()
        second.stop()

    assert payments.calls == [("bob", paid.payment_hash, paid.preimage)]


def test_the_listener_reconnects_after_a_drop_and_asks_since_the_last_notification(wallet, cutter):
    payments = Payments()
    listener = NotificationListener({"alice": wallet.connection(cutter.url)}, payments).start()
    try:
        assert listener.wait_subscribed(5)
        first = wallet.invoice_for(amount_msat=1000)
        wallet.pay(first.payment_hash)
        assert payments.wait(1)
        assert cutter.cut() == 1
        assert listener.wait_reconnects(1, 5)
        assert listener.wait_subscribed(5)
        second = wallet.invoice_for(amount_msat=1000)
        wallet.pay(second.payment_hash)
        assert payments.wait(2)
        since = listener.filter_for(cutter.url)["since"]
    finally:
        listener.stop()

    assert [call[1] for call in payments.calls] == [first.payment_hash, second.payment_hash]
    assert since >= listener.last_seen - NotificationListener.MARGIN_SECONDS


def test_a_failing_callback_does_not_stop_the_listener(wallet):
    calls = []
    done = threading.Event()

    def on_payment(key, payment_hash, preimage):
        calls.append(payment_hash)
        if len(calls) == 1:
            raise RuntimeError("database down")
        done.set()

    listener = NotificationListener({"alice": wallet.connection()}, on_payment).start()
    try:
        assert listener.wait_subscribed(5)
        invoice = wallet.invoice_for(amount_msat=1000)
        wallet.pay(invoice.payment_hash, times=2)
        assert done.wait(5)
    finally:
        listener.stop()

    # Not marked seen after the failure: the repeat went through.
    assert calls == [invoice.payment_hash, invoice.payment_hash]


def test_update_follows_a_changed_set_of_connections(relay):
    first, second = WalletService(relay.url).start(), WalletService(relay.url).start()
    payments = Payments()
    listener = NotificationListener({"alice": first.connection()}, payments).start()
    try:
        assert listener.wait_subscribed(5)
        listener.update({"bob": second.connection()})
        assert listener.wait_subscribed(5)
        paid = second.invoice_for(amount_msat=5000)
        second.pay(paid.payment_hash)
        assert payments.wait(1)
    finally:
        listener.stop()
        first.stop()
        second.stop()

    assert payments.calls == [("bob", paid.payment_hash, paid.preimage)]
