"""Lightning wallets for tests: the simulated one, and a double that answers what a test
tells it to (a wrong amount, another network, a reused hash, silence)."""

from __future__ import annotations

import hashlib
import secrets
from typing import ClassVar

from django.utils import timezone

from btc.bolt11 import invoice_sign
from creators.models import Creator, LightningWallet, LightningWalletKind
from payments.lightning.wallets import (
    Connected,
    InvoiceLookup,
    MadeInvoice,
    WalletUnavailable,
    register,
)

# A key that is not the simulated wallet's: the double's invoices are its own node's.
DOUBLE_NODE_KEY = hashlib.sha256(b"test double node").digest()


def connect_simulated(creator: Creator) -> LightningWallet:
    return LightningWallet.objects.create(
        creator=creator, kind=LightningWalletKind.SIMULATED, label="Simulated wallet"
    )


@register
class WalletDouble:
    """kind "test_double": `behaviour` says how the next invoices go wrong (or not)."""

    kind: ClassVar[str] = "test_double"
    behaviour: ClassVar[dict[str, object]] = {}
    minted: ClassVar[list[str]] = []
    settled: ClassVar[dict[str, str]] = {}

    def __init__(self, wallet: LightningWallet) -> None:
        self.wallet = wallet

    @classmethod
    def reset(cls, **behaviour: object) -> None:
        cls.behaviour = dict(behaviour)
        cls.minted = []
        cls.settled = {}

    @classmethod
    def connect(cls, text: str) -> Connected:
        return Connected(label="double", public={})

    def make_invoice(
        self, *, amount_msat: int, description_hash: str, expiry_seconds: int
    ) -> MadeInvoice:
        b = self.behaviour
        if b.get("unavailable"):
            raise WalletUnavailable("the wallet did not answer in time")
        if b.get("garbage"):
            return MadeInvoice(bolt11="lnbc1notaninvoice", description_hash=description_hash)
        preimage = b.get("preimage") or secrets.token_hex(32)
        assert isinstance(preimage, str)
        now = int(timezone.now().timestamp())
        pr = invoice_sign(
            private_key=DOUBLE_NODE_KEY,
            network=str(b.get("network", "mainnet")),
            amount_msat=amount_msat + int(b.get("extra_msat", 0)),  # type: ignore[call-overload]
            payment_hash=hashlib.sha256(bytes.fromhex(preimage)).hexdigest(),
            payment_secret=secrets.token_hex(32),
            timestamp=now - int(b.get("age", 0)),  # type: ignore[call-overload]
            description_hash=str(b.get("description_hash", description_hash)),
            expiry=int(b.get("expiry", expiry_seconds)),  # type: ignore[call-overload]
        )
        self.minted.append(preimage)
        return MadeInvoice(bolt11=pr, description_hash=description_hash)

    def lookup_invoice(
        self, *, payment_hash: str, bolt11: str, verify_url: str = ""
    ) -> InvoiceLookup:
        if self.behaviour.get("lookup_unavailable"):
            raise WalletUnavailable("the wallet did not answer in time")
        if payment_hash in self.settled:
            return InvoiceLookup(settled=True, preimage=self.settled[payment_hash])
        return InvoiceLookup(settled=False)


def connect_double(creator: Creator, **behaviour: object) -> LightningWallet:
    WalletDouble.reset(**behaviour)
    return LightningWallet.objects.create(creator=creator, kind="test_double", label="double")


def preimage_hash(preimage: str) -> str:
    return hashlib.sha256(bytes.fromhex(preimage)).hexdigest()
