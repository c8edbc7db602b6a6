"""A stand-in for the "nwc" adapter (another branch builds the real one): a connection
with a real secret, so tests can prove the secret is sealed and never shown or logged."""

from __future__ import annotations

import hashlib
import secrets
import time
from typing import ClassVar
from urllib.parse import parse_qs, urlsplit

from btc.bolt11 import invoice_sign
from creators.models import LightningWallet
from payments.lightning.wallets import Connected, InvoiceLookup, MadeInvoice, WalletRefused

NODE_KEY = bytes.fromhex("11" * 32)
SECRET = "5ec7e7" + "ab" * 29  # 64 hex characters, easy to search for
URI = f"nostr+walletconnect://{'cd' * 32}?relay=wss%3A%2F%2Frelay.example&secret={SECRET}"
SPENDING_URI = URI + "&can=pay_invoice"


class FakeNwcWallet:
    kind: ClassVar[str] = "nwc"

    def __init__(self, wallet: LightningWallet) -> None:
        self.wallet = wallet

    @classmethod
    def connect(cls, text: str) -> Connected:
        query = parse_qs(urlsplit(text.strip()).query)
        if "pay_invoice" in query.get("can", []):
            raise WalletRefused("can_spend", "This connection can spend: make a receive-only one.")
        return Connected(
            label="Fake wallet via wss://relay.example",
            public={"relays": ["wss://relay.example"]},
            secret=query["secret"][0],
        )

    def make_invoice(
        self, *, amount_msat: int, description_hash: str, expiry_seconds: int
    ) -> MadeInvoice:
        pr = invoice_sign(
            private_key=NODE_KEY,
            network="mainnet",
            amount_msat=amount_msat,
            payment_hash=hashlib.sha256(secrets.token_bytes(32)).hexdigest(),
            payment_secret=secrets.token_hex(32),
            timestamp=int(time.time()),
            description_hash=description_hash,
            expiry=expiry_seconds,
        )
        return MadeInvoice(bolt11=pr, description_hash=description_hash)

    def lookup_invoice(
        self, *, payment_hash: str, bolt11: str, verify_url: str = ""
    ) -> InvoiceLookup:
        return InvoiceLookup(settled=False)
