"""A LUD-16 Lightning Address provider double on 127.0.0.1 (tests.json_server).

It serves `/.well-known/lnurlp/alice` (LUD-06 payRequest), a callback that mints real
signed BOLT11 invoices (btc.bolt11.invoice_sign, on the provider node's own key, for the
provider's own metadata, as a real provider does) and, unless told not to, a LUD-21
verify URL per invoice. Tests change its behaviour through its attributes: no verify,
an invoice for another amount, a lying "settled", and any route's raw answer.
"""

from __future__ import annotations

import hashlib
import secrets
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

import coincurve

from btc.bolt11 import invoice_sign
from btc.lnurl import metadata_hash, pay_metadata
from tests.json_server import Answer, JsonServer, json_server

USERNAME = "alice"
ADDRESS = "alice@provider.example"
PAY_REQUEST_PATH = f"/.well-known/lnurlp/{USERNAME}"
CALLBACK_PATH = f"/lnurlp/{USERNAME}/callback"
VERIFY_PATH = f"/lnurlp/{USERNAME}/verify/"


@dataclass
class Minted:
    pr: str
    payment_hash: str
    preimage: str
    amount_msat: int
    settled: bool = False


@dataclass
class Provider:
    server: JsonServer
    node_key: bytes = field(default_factory=lambda: secrets.token_bytes(32))
    metadata: str = pay_metadata(text="Pay alice", identifier=ADDRESS)
    min_sendable_msat: int = 1000
    max_sendable_msat: int = 100_000_000_000
    offers_verify: bool = True
    # Adds this to the amount asked for: a provider minting the wrong invoice.
    amount_error_msat: int = 0
    # Says "settled" with this preimage instead of the real one.
    lying_preimage: str | None = None
    invoices: dict[str, Minted] = field(default_factory=dict)

    @property
    def node_id(self) -> str:
        return coincurve.PrivateKey(self.node_key).public_key.format(compressed=True).hex()

    @property
    def pay_request_url(self) -> str:
        return self.server.url(PAY_REQUEST_PATH)

    def pay_request(self) -> dict[str, object]:
        return {
            "tag": "payRequest",
            "callback": self.server.url(CALLBACK_PATH),
            "metadata": self.metadata,
            "minSendable": self.min_sendable_msat,
            "maxSendable": self.max_sendable_msat,
            "commentAllowed": 0,
        }

    def callback(self, query: dict[str, str]) -> Answer:
        amount_msat = int(query["amount"])
        preimage = secrets.token_bytes(32)
        payment_hash = hashlib.sha256(preimage).hexdigest()
        pr = invoice_sign(
            private_key=self.node_key,
            network="mainnet",
            amount_msat=amount_msat + self.amount_error_msat,
            payment_hash=payment_hash,
            payment_secret=secrets.token_hex(32),
            timestamp=int(time.time()),
            description_hash=metadata_hash(self.metadata),
        )
        self.invoices[payment_hash] = Minted(pr, payment_hash, preimage.hex(), amount_msat)
        answer: dict[str, object] = {"pr": pr, "routes": []}
        if self.offers_verify:
            answer["verify"] = self.server.url(VERIFY_PATH + payment_hash)
        return Answer.json(answer)

    def verify(self, query: dict[str, str]) -> Answer:
        minted = self.invoices.get(query["path"].rsplit("/", 1)[-1])
        if minted is None:
            return Answer.json({"status": "ERROR", "reason": "Not found"}, status=404)
        preimage = self.lying_preimage or minted.preimage
        return Answer.json(
            {
                "status": "OK",
                "settled": minted.settled,
                "preimage": preimage if minted.settled else None,
                "pr": minted.pr,
            }
        )

    def pay(self, payment_hash: str) -> None:
        self.invoices[payment_hash].settled = True


@contextmanager
def lightning_address_provider() -> Iterator[Provider]:
    with json_server() as server:
        provider = Provider(server)
        server.routes[PAY_REQUEST_PATH] = lambda query: Answer.json(provider.pay_request())
        server.routes[CALLBACK_PATH] = provider.callback
        # Verify URLs end with the payment hash: one route per invoice would need a table.
        server.prefix_routes[VERIFY_PATH] = provider.verify
        yield provider
