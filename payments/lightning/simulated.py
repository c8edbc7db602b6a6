"""The simulated Lightning wallet (kind "simulated"), for `make run` and the tests.

It mints REAL signed BOLT11 invoices (btc.bolt11.invoice_sign) on a fixed, public test node
key (BITCACHE_LIGHTNING_SIMULATED_NODE_KEY), so every check a real wallet's answer goes
through applies to it too. Nobody can pay them on a real network: `manage.py
simulate_payment <tip>` plays the payer, and the wallet then reports the payment like a
real one would (`invoice_settled` with the preimage). Offered only while
BITCACHE_LIGHTNING_SIMULATED is on (with the simulated chain); production refuses it.
"""

from __future__ import annotations

import hashlib
import secrets
from typing import ClassVar

from coincurve import PrivateKey
from django.conf import settings
from django.utils import timezone

from btc.bolt11 import invoice_sign
from creators.models import LightningWallet, LightningWalletKind
from payments.lightning.services import invoice_settled
from payments.lightning.wallets import (
    Connected,
    InvoiceLookup,
    MadeInvoice,
    WalletRefused,
    WalletUnavailable,
    register,
)
from payments.models import SimulatedInvoice, Tip

LABEL = "Simulated wallet (development)"


def simulated_allowed() -> bool:
    return bool(settings.BITCACHE_LIGHTNING_SIMULATED)


def node_key() -> bytes:
    return bytes.fromhex(settings.BITCACHE_LIGHTNING_SIMULATED_NODE_KEY)


def node_pubkey() -> str:
    """The simulated node's 33-byte compressed public key (hex), as invoices name the payee."""
    return PrivateKey(node_key()).public_key.format(compressed=True).hex()


@register
class SimulatedWallet:
    kind: ClassVar[str] = LightningWalletKind.SIMULATED

    def __init__(self, wallet: LightningWallet) -> None:
        self.wallet = wallet

    @classmethod
    def connect(cls, text: str) -> Connected:
        if not simulated_allowed():
            raise WalletRefused("simulated_off", "The simulated wallet is for development only.")
        return Connected(label=LABEL, public={"payee": node_pubkey()})

    def make_invoice(
        self, *, amount_msat: int, description_hash: str, expiry_seconds: int
    ) -> MadeInvoice:
        if not simulated_allowed():
            raise WalletUnavailable("The simulated wallet is off on this site.")
        preimage = secrets.token_hex(32)
        payment_hash = hashlib.sha256(bytes.fromhex(preimage)).hexdigest()
        bolt11 = invoice_sign(
            private_key=node_key(),
            network=settings.BITCACHE_NETWORK,
            amount_msat=amount_msat,
            payment_hash=payment_hash,
            payment_secret=secrets.token_hex(32),
            timestamp=int(timezone.now().timestamp()),
            description_hash=description_hash,
            expiry=expiry_seconds,
        )
        SimulatedInvoice.objects.create(
            wallet=self.wallet, payment_hash=payment_hash, preimage=preimage, bolt11=bolt11
        )
        return MadeInvoice(bolt11=bolt11, description_hash=description_hash)

    def lookup_invoice(
        self, *, payment_hash: str, bolt11: str, verify_url: str = ""
    ) -> InvoiceLookup:
        minted = SimulatedInvoice.objects.filter(
            wallet=self.wallet, payment_hash=payment_hash
        ).first()
        if minted is None or minted.paid_at is None:
            return InvoiceLookup(settled=False)
        return InvoiceLookup(settled=True, preimage=minted.preimage)


class NotSimulated(Exception):
    """The tip's invoice was not minted by the simulated wallet: nobody here can pay it."""


def simulated_invoice_pay(*, tip: Tip) -> Tip | None:
    """Play the viewer's wallet: pay the tip's invoice, then report it as the creator's
    wallet would (its notification). Paying twice changes nothing more."""
    invoice = getattr(tip, "lightning_invoice", None)
    minted = (
        SimulatedInvoice.objects.filter(payment_hash=invoice.payment_hash).first()
        if invoice is not None
        else None
    )
    if minted is None:
        raise NotSimulated
    if minted.paid_at is None:
        SimulatedInvoice.objects.filter(pk=minted.pk, paid_at__isnull=True).update(
            paid_at=timezone.now()
        )
    return invoice_settled(payment_hash=minted.payment_hash, preimage=minted.preimage)
