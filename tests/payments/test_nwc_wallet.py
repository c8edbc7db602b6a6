"""The "nwc" wallet adapter and the payment-notification watcher, through a real relay on
loopback and the NIP-47 wallet-service double (tests/nwc/)."""

from __future__ import annotations

import logging
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from django.core.management import call_command

from btc.bolt11 import InvoiceRefused, description_hash_of, invoice_check
from creators.models import LightningWallet
from payments.lightning.nwc_wallet import NwcWallet, nwc_connections, watch_notifications
from payments.lightning.services import lightning_tip_create
from payments.lightning.wallets import WalletRefused, WalletUnavailable, adapter_for
from payments.management.commands.watch_lightning import settle
from payments.models import Rail, TipStatus
from tests.factories import CreatorFactory
from tests.nwc.conftest import relay, wallet  # noqa: F401 - fixtures
from tests.nwc.local_relay import free_port
from tests.nwc.wallet_service import WalletService
from web.sealing import seal

HASH = description_hash_of('[["text/plain","A tip for alice"]]')


@pytest.fixture(autouse=True)
def short_timeouts(settings):
    settings.BITCACHE_LIGHTNING_TIMEOUT_SECONDS = 2


@pytest.fixture
def misbehaving(relay):  # noqa: F811
    started = []

    def make(behaviour, **kwargs):
        service = WalletService(relay.url, behaviour=behaviour, **kwargs).start()
        started.append(service)
        return service

    yield make
    for service in started:
        service.stop()


def connected(service, creator=None):
    """A LightningWallet row as the connection services store it."""
    result = NwcWallet.connect(service.uri())
    return LightningWallet.objects.create(
        creator=creator or CreatorFactory(),
        kind="nwc",
        label=result.label,
        public=result.public,
        secret_sealed=seal(result.secret),
    )


def checked(bolt11, amount_msat=21_000):
    return invoice_check(
        bolt11, amount_msat=amount_msat, network="regtest", description_hash=HASH,
        now=int(time.time()),
    )  # fmt: skip


def make_invoice(row, amount_msat=21_000):
    """The wallet's invoice (bolt11) for `amount_msat`, committing to HASH."""
    made = adapter_for(row).make_invoice(
        amount_msat=amount_msat, description_hash=HASH, expiry_seconds=600
    )
    assert made.description_hash == HASH
    return made.bolt11


# connect


def test_connect_keeps_the_wallets_public_part_and_the_secret_apart(wallet):  # noqa: F811
    result = NwcWallet.connect(wallet.uri())

    assert result.public == {
        "wallet_pubkey": wallet.pubkey,
        "relays": [wallet.relay_url],
        "scheme": "nip44_v2",
        "lud16": None,
    }
    assert result.secret == wallet.client_secret
    assert result.label == "Nostr Wallet Connect via 127.0.0.1"
    assert wallet.client_secret not in repr(result)


def test_connect_refuses_a_connection_that_can_pay(misbehaving):
    service = misbehaving("honest", capabilities=("make_invoice", "lookup_invoice", "pay_invoice"))

    with pytest.raises(WalletRefused) as refused:
        NwcWallet.connect(service.uri())

    assert refused.value.code == "can_spend"
    assert "allows only make_invoice and lookup_invoice" in refused.value.message


def test_connect_refuses_a_connection_that_cannot_look_invoices_up(misbehaving):
    service = misbehaving("honest", capabilities=("make_invoice", "get_balance"))

    with pytest.raises(WalletRefused) as refused:
        NwcWallet.connect(service.uri())

    assert refused.value.code == "missing_capability"


def test_connect_refuses_a_wallet_that_published_no_info(misbehaving):
    service = misbehaving("honest", publish_info=False)

    with pytest.raises(WalletRefused) as refused:
        NwcWallet.connect(service.uri())

    assert refused.value.code == "no_info"


def test_connect_refuses_garbage_without_quoting_it():
    text = "nostr+walletconnect://nope?secret=" + "ab" * 32

    with pytest.raises(WalletRefused) as refused:
        NwcWallet.connect(text)

    assert refused.value.code == "malformed"
    assert "ab" * 32 not in refused.value.message


def test_connect_says_unavailable_when_the_relays_do_not_answer(relay):  # noqa: F811
    service = WalletService(f"ws://127.0.0.1:{free_port()}", publish_info=False)

    with pytest.raises(WalletUnavailable):
        NwcWallet.connect(service.uri())


# invoices


@pytest.mark.django_db
def test_make_invoice_returns_the_wallets_invoice_for_exactly_what_was_asked(wallet):  # noqa: F811
    row = connected(wallet)

    assert checked(make_invoice(row)) in wallet.invoices


@pytest.mark.django_db
@pytest.mark.parametrize("behaviour", ["wrong_amount", "wrong_description_hash"])
def test_an_invoice_for_something_else_is_handed_over_for_the_callers_check(misbehaving, behaviour):
    row = connected(misbehaving(behaviour))

    with pytest.raises(InvoiceRefused) as refused:
        checked(make_invoice(row))

    assert refused.value.code == behaviour


@pytest.mark.django_db
@pytest.mark.parametrize("behaviour", ["silent", "late", "error", "garbage"])
def test_a_wallet_that_does_not_give_an_invoice_is_unavailable(misbehaving, behaviour):
    row = connected(misbehaving(behaviour))

    with pytest.raises(WalletUnavailable):
        make_invoice(row)


@pytest.mark.django_db
def test_a_forged_answer_does_not_replace_the_wallets(misbehaving):
    service = misbehaving("forged")
    row = connected(service)

    assert checked(make_invoice(row)) in service.invoices


@pytest.mark.django_db
def test_lookup_invoice_reports_unpaid_then_paid_with_its_preimage(wallet):  # noqa: F811
    row = connected(wallet)
    bolt11 = make_invoice(row)
    payment_hash = checked(bolt11)
    adapter = adapter_for(row)

    before = adapter.lookup_invoice(payment_hash=payment_hash, bolt11=bolt11)
    invoice = wallet.pay(payment_hash)
    after = adapter.lookup_invoice(payment_hash=payment_hash, bolt11=bolt11)

    assert (before.settled, before.preimage) == (False, None)
    assert (after.settled, after.preimage) == (True, invoice.preimage)


@pytest.mark.django_db
def test_a_paid_answer_whose_preimage_is_not_the_invoices_is_refused(misbehaving):
    service = misbehaving("bad_preimage")
    row = connected(service)
    bolt11 = make_invoice(row)

    with pytest.raises(WalletUnavailable) as refused:
        adapter_for(row).lookup_invoice(payment_hash=checked(bolt11), bolt11=bolt11)

    assert "proof of payment" in refused.value.message


@pytest.mark.django_db
def test_a_legacy_nip04_wallet_is_spoken_to_in_nip04(misbehaving):
    service = misbehaving("honest", encryptions=("nip04",))
    row = connected(service)

    payment_hash = checked(make_invoice(row))

    assert row.public["scheme"] == "nip04"
    assert service.requests[-1].scheme == "nip04"
    assert payment_hash in service.invoices


@pytest.mark.django_db
def test_lookup_of_an_invoice_the_wallet_does_not_know_is_unpaid(wallet):  # noqa: F811
    row = connected(wallet)

    result = adapter_for(row).lookup_invoice(payment_hash="ab" * 32, bolt11="lnbcrt1")

    assert not result.settled


@pytest.mark.django_db
def test_the_secret_never_reaches_logs_or_reprs(wallet, misbehaving, caplog):  # noqa: F811
    caplog.set_level(logging.DEBUG)
    row = connected(wallet)
    make_invoice(row)
    silent = connected(misbehaving("silent"))
    with pytest.raises(WalletUnavailable) as unavailable:
        make_invoice(silent)

    texts = [caplog.text, repr(adapter_for(row)), repr(row), str(row), str(unavailable.value)]
    for text in texts:
        assert wallet.client_secret not in text
        assert row.secret_sealed not in text


# notifications


@pytest.mark.django_db(transaction=True)
def test_watch_notifications_settles_payments_of_every_wallet_including_new_ones(relay):  # noqa: F811
    first, second = WalletService(relay.url).start(), WalletService(relay.url).start()
    connected(first)
    paid = []
    arrived = threading.Condition()

    def on_payment(payment_hash, preimage):
        with arrived:
            paid.append((payment_hash, preimage))
            arrived.notify_all()

    def wait_for(count, timeout=10.0):
        with arrived:
            return arrived.wait_for(lambda: len(paid) >= count, timeout=timeout)

    stop, started = threading.Event(), threading.Event()
    watcher = threading.Thread(
        target=watch_notifications,
        args=(on_payment,),
        kwargs={"reload_seconds": 0.1, "stop": stop, "started": started},
    )
    watcher.start()
    try:
        assert started.wait(10)
        one = first.invoice_for(amount_msat=1000)
        first.pay(one.payment_hash, times=2)
        assert wait_for(1)
        connected(second)
        # The watcher reloads the wallets; notifications until it listens are lost
        # (ephemeral events), as on a real relay: lookup_invoice polling covers that.
        two = second.invoice_for(amount_msat=2000)
        deadline = time.monotonic() + 10
        second.pay(two.payment_hash)
        while not wait_for(2, timeout=0.2) and time.monotonic() < deadline:
            second.pay(two.payment_hash)
    finally:
        stop.set()
        watcher.join(10)
        first.stop()
        second.stop()

    assert paid == [(one.payment_hash, one.preimage), (two.payment_hash, two.preimage)]


@pytest.mark.django_db
def test_a_wallet_whose_secret_no_key_opens_is_skipped(wallet, settings, caplog):  # noqa: F811
    row = connected(wallet)
    LightningWallet.objects.filter(pk=row.pk).update(secret_sealed="gAAAAA-broken")

    assert nwc_connections() == {}
    assert f"nwc wallet {row.pk} cannot be listened to" in caplog.text


@pytest.mark.django_db(transaction=True)
def test_a_tip_paid_to_an_nwc_wallet_is_confirmed_by_the_wallets_notification(
    wallet,  # noqa: F811
    settings,
):
    """End to end over the real relay: the invoice comes from the wallet service, is
    checked, the viewer pays, the wallet's payment_received reaches watch_lightning's
    listener and the tip is confirmed, final, on the Lightning rail."""
    settings.BITCACHE_NETWORK = "regtest"  # the wallet service's invoices
    creator = CreatorFactory(min_tip_sats=1)
    connected(wallet, creator)
    tip = lightning_tip_create(
        creator=creator, amount_msat=21_000, description='[["text/plain","A tip for alice"]]'
    )
    settled = threading.Event()

    def on_payment(payment_hash, preimage):
        answer = settle(payment_hash, preimage)
        settled.set()
        return answer

    stop, started = threading.Event(), threading.Event()
    watcher = threading.Thread(
        target=watch_notifications,
        args=(on_payment,),
        kwargs={"reload_seconds": 60, "stop": stop, "started": started},
    )
    watcher.start()
    try:
        assert started.wait(10)
        wallet.pay(tip.lightning_invoice.payment_hash, times=2)  # a duplicate changes nothing
        assert settled.wait(10)
    finally:
        stop.set()
        watcher.join(10)

    tip.refresh_from_db()
    assert (tip.rail, tip.status, tip.received_sats) == (Rail.LIGHTNING, TipStatus.CONFIRMED, 21)
    assert (
        tip.lightning_invoice.preimage
        == wallet.invoices[tip.lightning_invoice.payment_hash].preimage
    )


def test_the_watch_lightning_command_exists():
    with pytest.raises(SystemExit):
        call_command("watch_lightning", "--help")


def test_starting_django_does_not_load_nostr_sdk():
    """Registering the adapter must not put nostr-sdk's native library on every process's
    start (measured 0.3-0.8 s on a loaded machine): it loads on the first wallet call."""
    code = (
        "import sys, django; django.setup();"
        "from payments.lightning.wallets import adapter_class; adapter_class('nwc');"
        "print(sorted(m for m in ('nostr_sdk', 'websockets') if m in sys.modules))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=Path(__file__).resolve().parents[2],
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "bitcache.settings.test"},
        capture_output=True,
        text=True,
    )

    assert result.stdout.strip().splitlines()[-1:] == ["[]"], result.stderr[-2000:]
