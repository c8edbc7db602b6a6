"""The simulated Lightning wallet: real signed invoices nobody can pay for real, paid by
`simulate_payment` (which pays on-chain tips too), and only where the settings allow it."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.test import override_settings

from payments.lightning.services import lightning_tip_create
from payments.lightning.simulated import SimulatedWallet, simulated_invoice_pay
from payments.lightning.wallets import WalletRefused
from payments.models import LightningInvoice, Tip, TipDayTotal, TipStatus
from payments.services import TipRefused, tip_create
from tests.lightning.conftest import METADATA
from tests.lightning.doubles import connect_double
from tests.payments.test_rollups import recount, rolled_up

pytestmark = pytest.mark.django_db


def simulate(*args: str) -> str:
    out = StringIO()
    call_command("simulate_payment", *args, stdout=out)
    return out.getvalue()


def lightning_tip(creator) -> Tip:
    return lightning_tip_create(creator=creator, amount_msat=42_000, description=METADATA)


def test_simulate_payment_pays_a_lightning_tip_by_id_or_by_invoice(creator, wallet):
    by_id, by_invoice = lightning_tip(creator), lightning_tip(creator)

    printed = simulate(by_id.public_id)
    simulate(LightningInvoice.objects.get(tip=by_invoice).bolt11)

    assert "is confirmed" in printed
    assert Tip.objects.get(pk=by_id.pk).status == TipStatus.CONFIRMED
    assert Tip.objects.get(pk=by_invoice.pk).confirmed_sats == 42


def test_simulate_payment_still_pays_an_onchain_tip(creator, chain, watch):
    tip = tip_create(creator=creator, amount_sats=5000)

    printed = simulate(tip.public_id, "--confirm")
    watch()

    assert "sent 5000 sats" in printed
    assert Tip.objects.get(pk=tip.pk).status == TipStatus.CONFIRMED


def test_simulate_payment_pays_a_lightning_invoice_in_full_only(creator, wallet):
    tip = lightning_tip(creator)

    with pytest.raises(CommandError, match="in full"):
        simulate(tip.public_id, "--sats", "1")

    assert Tip.objects.get(pk=tip.pk).status == TipStatus.AWAITING_PAYMENT


def test_simulate_payment_cannot_pay_a_real_wallets_invoice(creator):
    connect_double(creator)
    tip = lightning_tip(creator)

    with pytest.raises(CommandError, match="real wallet"):
        simulate(tip.public_id)


def test_the_simulated_wallet_is_refused_where_the_settings_forbid_it(creator, wallet):
    with override_settings(BITCACHE_LIGHTNING_SIMULATED=False):
        with pytest.raises(TipRefused) as refused:
            lightning_tip(creator)
        with pytest.raises(WalletRefused):
            SimulatedWallet.connect("")

    assert refused.value.code == "wallet_unavailable"
    assert not Tip.objects.exists()


def test_a_paid_lightning_tip_counts_in_the_overviews_rollups(creator, wallet):
    tip = lightning_tip_create(creator=creator, amount_msat=21_000, description=METADATA)
    assert rolled_up() == recount()

    simulated_invoice_pay(tip=tip)

    assert rolled_up() == recount()
    assert TipDayTotal.objects.get(creator=creator).sats == 21
