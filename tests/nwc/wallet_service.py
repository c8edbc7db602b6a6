"""A NIP-47 wallet service double that speaks the real protocol through a real relay.

It publishes its info event (kind 13194, capabilities configurable), answers `make_invoice`
with real signed BOLT11 invoices (btc.bolt11.invoice_sign on its own node key) and
`lookup_invoice`, and sends `payment_received` notifications, all signed with its own key
and NIP-44 (or NIP-04) encrypted to the client. `behaviour` makes it misbehave:

- "honest": answers correctly;
- "forged": first publishes an answer signed by another key (then the honest one);
- "late": holds its answer until `release` is set;
- "silent": never answers;
- "wrong_amount" / "wrong_description_hash": a valid invoice for something else;
- "error": a NIP-47 error answer;
- "garbage": a result without an invoice;
- "bad_preimage": lookup_invoice claims "paid" with a preimage of another payment.

`drop()` closes its relay connection (it reconnects and resubscribes by itself).
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import secrets
import threading
import time
from dataclasses import dataclass, field
from urllib.parse import quote

from websockets.exceptions import ConnectionClosed
from websockets.sync.client import ClientConnection, connect

from btc.bolt11 import description_hash_of, invoice_sign
from nwc.encryption import Scheme
from nwc.events import Event, EventRefused, event_sign, public_key_of, secret_key_generate
from nwc.nip47 import (
    RESPONSE_KIND,
    ConnectionUri,
    Request,
    connection_uri_parse,
    info_build,
    notification_build,
    request_parse,
    response_build,
)
from nwc.relay import publish

RECEIVE_ONLY = ("make_invoice", "lookup_invoice")


@dataclass
class Invoice:
    bolt11: str
    payment_hash: str
    preimage: str
    amount_msat: int
    settled: bool = False


@dataclass
class WalletService:
    relay_url: str
    capabilities: tuple[str, ...] = RECEIVE_ONLY
    encryptions: tuple[Scheme, ...] = ("nip44_v2",)
    network: str = "regtest"
    behaviour: str = "honest"
    publish_info: bool = True
    secret: str = field(default_factory=secret_key_generate, repr=False)
    client_secret: str = field(default_factory=secret_key_generate, repr=False)
    node_key: bytes = field(default_factory=lambda: secrets.token_bytes(32), repr=False)
    release: threading.Event = field(default_factory=threading.Event)
    invoices: dict[str, Invoice] = field(default_factory=dict)
    requests: list[Request] = field(default_factory=list)
    answered: threading.Event = field(default_factory=threading.Event)

    def __post_init__(self) -> None:
        self._stop = threading.Event()
        self._subscribed = threading.Event()
        self._ws: ClientConnection | None = None
        self._thread = threading.Thread(target=self._serve, name="wallet-service", daemon=True)

    @property
    def pubkey(self) -> str:
        return public_key_of(self.secret)

    def uri(self, *relays: str) -> str:
        query = "&".join(f"relay={quote(r, safe='')}" for r in (relays or (self.relay_url,)))
        return f"nostr+walletconnect://{self.pubkey}?{query}&secret={self.client_secret}"

    def connection(self, *relays: str) -> ConnectionUri:
        return connection_uri_parse(self.uri(*relays))

    # Running

    def start(self) -> WalletService:
        if self.publish_info:
            info = info_build(
                self.secret,
                capabilities=list(self.capabilities),
                created_at=int(time.time()),
                encryptions=self.encryptions,
            )
            publish([self.relay_url], info, timeout=5)
        self._thread.start()
        if not self._subscribed.wait(5):
            raise RuntimeError("the wallet service could not subscribe")
        return self

    def stop(self) -> None:
        self._stop.set()
        self.release.set()
        self.drop()
        self._thread.join(5)

    def drop(self) -> None:
        """Closes the relay connection under the service's feet; it reconnects."""
        ws = self._ws
        if ws is not None:
            self._subscribed.clear()
            with contextlib.suppress(Exception):
                ws.close()

    def wait_subscribed(self, timeout: float = 5) -> bool:
        return self._subscribed.wait(timeout)

    def _serve(self) -> None:
        while not self._stop.is_set():
            try:
                with connect(self.relay_url, open_timeout=5, close_timeout=0.5) as ws:
                    self._ws = ws
                    ws.send(
                        json.dumps(
                            ["REQ", "requests", {"kinds": [23194], "#p": [self.pubkey], "limit": 0}]
                        )
                    )
                    while not self._stop.is_set():
                        try:
                            message = json.loads(ws.recv(timeout=0.25))
                        except TimeoutError:
                            continue
                        if message[0] == "EOSE":
                            self._subscribed.set()
                        elif message[0] == "EVENT":
                            self._request(ws, message[2])
            except (OSError, ConnectionClosed):
                if not self._stop.wait(0.05):
                    continue

    # Answering

    def _request(self, ws: ClientConnection, raw: dict[str, object]) -> None:
        try:
            request = request_parse(raw, wallet_secret=self.secret)
        except EventRefused:
            return
        self.requests.append(request)
        if self.behaviour == "silent":
            return
        now = int(time.time())
        if request.method == "make_invoice":
            result, error = self._make_invoice(request.params, now)
        elif request.method == "lookup_invoice":
            result, error = self._lookup(request.params)
        else:
            result, error = None, ("NOT_IMPLEMENTED", "unknown method")
        if self.behaviour == "error":
            result, error = None, ("INTERNAL", "the node is down")
        answer = response_build(self.secret, request, created_at=now, result=result, error=error)
        if self.behaviour == "forged":
            forger = secret_key_generate()
            forged = response_build(
                forger,
                request,
                created_at=now,
                result={"type": "incoming", "invoice": "lnbcrt1forged", "payment_hash": "0" * 64},
            )
            ws.send(json.dumps(["EVENT", forged.as_dict()]))
        if self.behaviour == "late":

            def later() -> None:
                self.release.wait()
                with contextlib.suppress(Exception):
                    ws.send(json.dumps(["EVENT", answer.as_dict()]))
                self.answered.set()

            threading.Thread(target=later, daemon=True).start()
            return
        ws.send(json.dumps(["EVENT", answer.as_dict()]))
        self.answered.set()

    def _make_invoice(
        self, params: dict[str, object], now: int
    ) -> tuple[dict[str, object] | None, tuple[str, str] | None]:
        amount = params.get("amount")
        description_hash = params.get("description_hash")
        if not isinstance(amount, int) or not isinstance(description_hash, str):
            return None, ("OTHER", "amount and description_hash are required")
        if self.behaviour == "garbage":
            return {"type": "incoming", "amount": amount}, None
        if self.behaviour == "wrong_amount":
            amount += 1000
        if self.behaviour == "wrong_description_hash":
            description_hash = description_hash_of("something else")
        preimage = secrets.token_hex(32)
        payment_hash = hashlib.sha256(bytes.fromhex(preimage)).hexdigest()
        expiry = params.get("expiry")
        bolt11 = invoice_sign(
            private_key=self.node_key,
            network=self.network,
            amount_msat=amount,
            payment_hash=payment_hash,
            payment_secret=secrets.token_hex(32),
            timestamp=now,
            description_hash=description_hash,
            expiry=expiry if isinstance(expiry, int) else 3600,
        )
        self.invoices[payment_hash] = Invoice(bolt11, payment_hash, preimage, amount)
        result: dict[str, object] = {
            "type": "incoming",
            "invoice": bolt11,
            "description_hash": description_hash,
            "payment_hash": payment_hash,
            "amount": amount,
            "created_at": now,
            "expires_at": now + (expiry if isinstance(expiry, int) else 3600),
        }
        return result, None

    def _lookup(
        self, params: dict[str, object]
    ) -> tuple[dict[str, object] | None, tuple[str, str] | None]:
        invoice = self.invoices.get(str(params.get("payment_hash", "")))
        if invoice is None:
            return None, ("NOT_FOUND", "no such invoice")
        result: dict[str, object] = {
            "type": "incoming",
            "invoice": invoice.bolt11,
            "payment_hash": invoice.payment_hash,
            "amount": invoice.amount_msat,
        }
        if self.behaviour == "bad_preimage":
            result["preimage"] = secrets.token_hex(32)
            result["settled_at"] = int(time.time())
        elif invoice.settled:
            result["preimage"] = invoice.preimage
            result["settled_at"] = int(time.time())
        return result, None

    # Notifications

    def pay(self, payment_hash: str, *, times: int = 1, relays: tuple[str, ...] = ()) -> Invoice:
        """Marks the invoice paid and sends `payment_received` `times` times (the same
        notification event each time)."""
        invoice = self.invoices[payment_hash]
        invoice.settled = True
        event = self.notification(invoice)
        for _ in range(times):
            publish(list(relays or (self.relay_url,)), event, timeout=5)
        return invoice

    def send(self, event: Event) -> None:
        """Publishes on the service's open connection (no new connection, no OK awaited)."""
        if self._ws is None:
            raise RuntimeError("the wallet service is not connected")
        self._ws.send(json.dumps(["EVENT", event.as_dict()]))

    def notification(self, invoice: Invoice, *, secret: str | None = None) -> Event:
        return notification_build(
            secret or self.secret,
            public_key_of(self.client_secret),
            notification_type="payment_received",
            notification={
                "type": "incoming",
                "invoice": invoice.bolt11,
                "payment_hash": invoice.payment_hash,
                "preimage": invoice.preimage,
                "amount": invoice.amount_msat,
                "settled_at": int(time.time()),
            },
            created_at=int(time.time()),
            scheme=self.encryptions[0],
        )

    def invoice_for(self, *, amount_msat: int) -> Invoice:
        """An invoice made outside the protocol (to pay one the client never asked for)."""
        preimage = secrets.token_hex(32)
        payment_hash = hashlib.sha256(bytes.fromhex(preimage)).hexdigest()
        bolt11 = invoice_sign(
            private_key=self.node_key,
            network=self.network,
            amount_msat=amount_msat,
            payment_hash=payment_hash,
            payment_secret=secrets.token_hex(32),
            timestamp=int(time.time()),
            description_hash=description_hash_of("x"),
        )
        invoice = Invoice(bolt11, payment_hash, preimage, amount_msat)
        self.invoices[payment_hash] = invoice
        return invoice


def forged_response(request_event: dict[str, object], client_pubkey: str) -> dict[str, object]:
    """An answer to `request_event` signed by a stranger (for the hostile relay)."""
    del client_pubkey
    forger = secret_key_generate()
    return event_sign(
        forger,
        kind=RESPONSE_KIND,
        content="not even encrypted",
        created_at=int(time.time()),
        tags=[["e", str(request_event["id"])]],
    ).as_dict()
