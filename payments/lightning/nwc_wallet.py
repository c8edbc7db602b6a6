"""Nostr Wallet Connect (NIP-47) wallets: the adapter for LightningWallet.kind == "nwc".

`connect` parses the pasted URI, fetches the wallet's info event from its relays and
refuses a connection that can pay or lacks make_invoice/lookup_invoice (nwc.nip47's
messages). What it stores: public = wallet pubkey, relays, encryption scheme, lud16;
secret = the client secret key, which the connection services seal (web.sealing) and this
adapter unseals only to sign requests.

Transport is nwc.relay (websockets, one deadline per call from
BITCACHE_LIGHTNING_TIMEOUT_SECONDS). The adapter refuses malformed answers but does not
trust well-formed ones: callers run btc.bolt11.invoice_check on every invoice.
"""

from __future__ import annotations

import hashlib
import logging
import re
import socket
import threading
import time
from collections.abc import Callable
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from django.conf import settings
from django.db import close_old_connections
from django.utils.translation import gettext as _

from creators.models import LightningWallet
from payments.lightning.wallets import (
    Connected,
    InvoiceLookup,
    MadeInvoice,
    WalletRefused,
    WalletUnavailable,
    register,
)
from web.outgoing import OutgoingError, relay_reach, socket_open
from web.sealing import SealBroken, unseal

if TYPE_CHECKING:
    from nwc.nip47 import ConnectionUri, Response
    from nwc.relay import Opener

# nwc is imported where it is used, not here: payments' ready() imports this module to
# register the adapter, and importing nostr-sdk (a large native extension) would add
# ~0.3-0.8 s to the start of every Django process, most of which never talk to a wallet.

logger = logging.getLogger(__name__)
_HEX32 = re.compile(r"[0-9a-f]{64}")


def _is_hex32(value: object) -> bool:
    return isinstance(value, str) and _HEX32.fullmatch(value) is not None


def relay_opener() -> Opener:
    """How connections to a creator's relays are opened (nwc.relay.Opener): relay URLs come
    from what the creator pasted, so through the SSRF guard (web.outgoing.socket_open:
    public addresses only, unless BITCACHE_LNURL_ALLOWED_NETWORKS allows them; connected
    to the address it checked)."""
    from nwc.relay import RelayBlocked

    reach = relay_reach()

    def open_checked(url: str, timeout: float) -> socket.socket:
        try:
            return socket_open(url, timeout=timeout, reach=reach)
        except OutgoingError as exc:
            raise RelayBlocked(str(exc)) from None

    return open_checked


def _timeout() -> float:
    return float(settings.BITCACHE_LIGHTNING_TIMEOUT_SECONDS)


def _label(connection: ConnectionUri) -> str:
    host = urlsplit(connection.relays[0]).hostname or connection.relays[0]
    return _("Nostr Wallet Connect via %(relay)s") % {"relay": host}


@register
class NwcWallet:
    kind = "nwc"

    def __init__(self, wallet: LightningWallet) -> None:
        self.wallet = wallet

    def __repr__(self) -> str:
        return f"<NwcWallet wallet={self.wallet.pk}>"

    @classmethod
    def connect(cls, text: str) -> Connected:
        from nwc.nip47 import ConnectionRefused, capabilities_check, connection_uri_parse
        from nwc.relay import InfoMissing, RelayError, info_fetch

        try:
            connection = connection_uri_parse(text)
        except ConnectionRefused as refused:
            raise WalletRefused(refused.code, refused.message) from None
        try:
            info = info_fetch(connection, timeout=_timeout(), opener=relay_opener())
        except InfoMissing:
            raise WalletRefused(
                "no_info",
                _(
                    "The wallet has not published what this connection allows on its relays. "
                    "Check that the wallet service is running, then try again."
                ),
            ) from None
        except RelayError as exc:
            logger.info("nwc connect: %s", exc)
            raise WalletUnavailable(
                _("The wallet's relays did not answer in time. Try again in a moment.")
            ) from None
        try:
            scheme = capabilities_check(info)
        except ConnectionRefused as refused:
            raise WalletRefused(refused.code, refused.message) from None
        public: dict[str, object] = {
            "wallet_pubkey": connection.wallet_pubkey,
            "relays": list(connection.relays),
            "scheme": scheme,
            "lud16": connection.lud16,
        }
        return Connected(label=_label(connection), public=public, secret=connection.secret)

    # Talking to the connected wallet

    def _connection(self) -> ConnectionUri:
        from nwc.nip47 import ConnectionUri

        public = self.wallet.public
        relays = public.get("relays")
        pubkey = public.get("wallet_pubkey")
        if not _is_hex32(pubkey) or not isinstance(relays, list) or not relays:
            raise WalletUnavailable(_("This wallet connection is incomplete: connect it again."))
        lud16 = public.get("lud16")
        return ConnectionUri(
            wallet_pubkey=str(pubkey),
            relays=tuple(str(relay) for relay in relays),
            secret=unseal(self.wallet.secret_sealed),
            lud16=lud16 if isinstance(lud16, str) else None,
        )

    def _ask(self, method: str, params: dict[str, object]) -> Response:
        from nwc.relay import RelayError, wallet_request

        scheme = str(self.wallet.public.get("scheme", "nip44_v2"))
        try:
            return wallet_request(
                self._connection(),
                method,
                params,
                scheme=scheme,
                timeout=_timeout(),
                opener=relay_opener(),
            )
        except RelayError as exc:
            logger.info("nwc %s for wallet %s: %s", method, self.wallet.pk, exc)
            raise WalletUnavailable(_("The wallet did not answer in time.")) from None

    def make_invoice(
        self, *, amount_msat: int, description_hash: str, expiry_seconds: int
    ) -> MadeInvoice:
        from nwc.nip47 import make_invoice_params

        response = self._ask(
            "make_invoice",
            make_invoice_params(
                amount_msat=amount_msat, description_hash=description_hash, expiry=expiry_seconds
            ),
        )
        if response.error_code is not None:
            raise WalletUnavailable(
                _("The wallet refused to create an invoice (%(code)s).")
                % {"code": response.error_code[:40]}
            )
        invoice = (response.result or {}).get("invoice")
        if (
            not isinstance(invoice, str)
            or not invoice.lower().startswith("ln")
            or len(invoice) > 4000
        ):
            raise WalletUnavailable(_("The wallet answered without an invoice."))
        return MadeInvoice(bolt11=invoice, description_hash=description_hash)

    def lookup_invoice(
        self, *, payment_hash: str, bolt11: str, verify_url: str = ""
    ) -> InvoiceLookup:
        response = self._ask("lookup_invoice", {"payment_hash": payment_hash})
        if response.error_code == "NOT_FOUND":
            return InvoiceLookup(settled=False)
        if response.error_code is not None:
            raise WalletUnavailable(
                _("The wallet could not look the invoice up (%(code)s).")
                % {"code": response.error_code[:40]}
            )
        result = response.result or {}
        answered_hash = result.get("payment_hash")
        if answered_hash is not None and answered_hash != payment_hash:
            raise WalletUnavailable(_("The wallet answered about another invoice."))
        preimage = result.get("preimage")
        if preimage is not None and not (
            _is_hex32(preimage)
            and hashlib.sha256(bytes.fromhex(str(preimage))).hexdigest() == payment_hash
        ):
            raise WalletUnavailable(_("The wallet's proof of payment does not match the invoice."))
        settled = result.get("state") == "settled" or isinstance(result.get("settled_at"), int)
        # NIP-47: a preimage is proof of payment even from a wallet without settled_at.
        settled = settled or preimage is not None
        return InvoiceLookup(
            settled=settled, preimage=str(preimage) if settled and preimage else None
        )


# Payment notifications (the `watch_lightning` command)


def nwc_connections() -> dict[str, ConnectionUri]:
    """Every connected NWC wallet, keyed by LightningWallet id. A wallet whose secret no
    configured key opens (a dropped sealing key) or whose public part is incomplete is
    skipped and logged by id, never by content."""
    connections: dict[str, ConnectionUri] = {}
    for wallet in LightningWallet.objects.filter(kind="nwc").order_by("pk"):
        try:
            connections[str(wallet.pk)] = NwcWallet(wallet)._connection()
        except (SealBroken, WalletUnavailable):
            logger.warning("nwc wallet %s cannot be listened to: connect it again", wallet.pk)
    return connections


def watch_notifications(
    on_payment: Callable[[str, str | None], object],
    *,
    reload_seconds: float,
    stop: threading.Event,
    started: threading.Event | None = None,
) -> None:
    """Listens to every NWC wallet's notifications until `stop` is set, reloading the set of
    wallets every `reload_seconds`, and calls `on_payment(payment_hash, preimage)` once per
    payment_received. The callback must be idempotent and ignore unknown payment hashes:
    a notification is a hint (polling with lookup_invoice is the fallback)."""

    def paid(key: str, payment_hash: str, preimage: str | None) -> None:
        close_old_connections()
        try:
            logger.info("nwc wallet %s: payment_received %s", key, payment_hash)
            on_payment(payment_hash, preimage)
        finally:
            close_old_connections()

    from nwc.relay import NotificationListener

    listener = NotificationListener(
        nwc_connections(), paid, since=int(time.time()), opener=relay_opener()
    )
    with listener:
        listener.wait_subscribed(_timeout())
        if started is not None:
            started.set()
        while not stop.wait(reload_seconds):
            listener.update(nwc_connections())
