"""A creator's existing Lightning Address (LUD-16) as their wallet, if it offers LUD-21.

Connecting `alice@wallet.example`: fetch its LUD-06 payRequest (through the SSRF guard,
web.outgoing.get_json), check it, then ask its callback for ONE invoice (1 sat, or the
provider's minimum) because only a callback answer shows whether the provider gives a
LUD-21 `verify` URL. Without one Bitcache could never see a payment, so the connection
is refused, saying why. That probe invoice is checked like any other and never shown to
anyone; its verify URL is asked once, to prove it answers.

What a Lightning Address cannot do: commit to *our* description. Its provider builds the
invoice for its own metadata, so the invoice's description hash is the SHA-256 of the
provider's metadata (kept in `public` at connect), and `make_invoice` checks against that
instead of the hash it was asked for (MadeInvoice.description_hash says which). The
consequence: Bitcache's own LUD-06 metadata, LUD-18 payer data and NIP-57 zap requests are
not committed to by such an invoice, so zaps are not offered through a Lightning Address
connection (they need NWC or the simulated wallet). The provider also chooses the expiry.

Payment: `lookup_invoice` asks the invoice's verify URL (LUD-21 answer
`{status: "OK", settled, preimage, pr}`) and believes `settled` only if `pr` is our
invoice and the preimage hashes to its payment hash. Every call has a timeout and a size
cap on the answer.
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
import time
from typing import ClassVar
from urllib.parse import urlsplit

from django.conf import settings
from django.utils.translation import gettext as _

from btc.bolt11 import InvoiceRefused, invoice_check
from btc.lnurl import LightningAddress, lightning_address_parse, metadata_hash
from creators.models import LightningWallet
from payments.lightning.wallets import (
    Connected,
    InvoiceLookup,
    MadeInvoice,
    WalletRefused,
    WalletUnavailable,
    register,
)
from web.outgoing import OutgoingError, get_json

logger = logging.getLogger(__name__)

# Each request to the provider ends within this (connect, redirects and answer together).
TIMEOUT_SECONDS = 5.0
# The payRequest's metadata may carry a small base64 image (LUD-06); other answers are
# an invoice and a URL or two.
PAY_REQUEST_MAX_BYTES = 64 * 1024
ANSWER_MAX_BYTES = 16 * 1024
# An LNURL reason shown to the creator is cut to this.
MAX_REASON = 200
_HEX32 = re.compile(r"[0-9a-f]{64}")


def pay_request_url(address: LightningAddress) -> str:
    """LUD-16: where the address's payRequest lives (tests point this at a local double)."""
    return address.url


def _fetch(url: str, *, max_bytes: int, domain: str) -> dict[str, object]:
    """A provider's JSON object answer; LUD-06 errors and unusable answers refused."""
    try:
        answer = get_json(url, timeout=TIMEOUT_SECONDS, max_bytes=max_bytes)
    except OutgoingError as error:
        raise WalletUnavailable(
            _("%(domain)s did not answer usably: %(problem)s.")
            % {"domain": domain, "problem": error}
        ) from None
    if not isinstance(answer, dict):
        raise WalletUnavailable(_("%(domain)s answered something unusable.") % {"domain": domain})
    if str(answer.get("status", "")).upper() == "ERROR":
        reason = str(answer.get("reason", ""))[:MAX_REASON]
        raise WalletUnavailable(
            _("%(domain)s refused: %(reason)s") % {"domain": domain, "reason": reason}
        )
    return answer


def _http_url(value: object) -> str | None:
    if not isinstance(value, str) or len(value) > 2000:
        return None
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return None
    return value


def _amount_url(callback: str, amount_msat: int) -> str:
    # LUD-06: the callback may carry its own query; amount is added to it.
    separator = "&" if urlsplit(callback).query else "?"
    return f"{callback}{separator}amount={amount_msat}"


def _whole_sats(msat: int) -> int:
    """The smallest whole-sat amount (in msat) at or above `msat`, at least 1 sat."""
    return max(1000, -(-msat // 1000) * 1000)


@register
class LightningAddressWallet:
    kind: ClassVar[str] = "lightning_address"

    def __init__(self, wallet: LightningWallet) -> None:
        self.wallet = wallet

    # --- connecting ---------------------------------------------------------------

    @classmethod
    def connect(cls, text: str) -> Connected:
        try:
            address = lightning_address_parse(text)
        except ValueError as error:
            raise WalletRefused("not_an_address", str(error)) from None
        domain = address.domain
        offer = _fetch(pay_request_url(address), max_bytes=PAY_REQUEST_MAX_BYTES, domain=domain)
        public = cls._pay_request_check(offer, address)
        probe_msat = _whole_sats(int(str(public["min_sendable_msat"])))
        if probe_msat > int(str(public["max_sendable_msat"])):
            raise WalletRefused(
                "no_whole_sats",
                _("%(address)s accepts no whole-sat amount.") % {"address": address},
            )
        made = cls._invoice(public, amount_msat=probe_msat, payee=None, verify_required=False)
        if not made.verify_url:
            raise WalletRefused(
                "no_verify",
                _(
                    "%(domain)s does not offer LNURL-verify (LUD-21), so Bitcache could never "
                    "see that a tip was paid. Bitcache asked it for one test invoice of "
                    "%(sats)s sat to find out. Use a Lightning Address provider that offers "
                    "LNURL-verify, or connect your wallet with Nostr Wallet Connect."
                )
                % {"domain": domain, "sats": probe_msat // 1000},
            )
        # The verify URL must answer for the probe invoice (unpaid, of course).
        cls._verify(made.verify_url, bolt11=made.bolt11, payment_hash=None, domain=domain)
        logger.info("lightning address at %s connects, with LNURL-verify", domain)
        return Connected(label=str(address), public=public)

    @staticmethod
    def _pay_request_check(
        offer: dict[str, object], address: LightningAddress
    ) -> dict[str, object]:
        """LUD-06: tag payRequest, a callback URL, whole-msat min <= max, metadata."""
        domain = address.domain
        unusable = WalletRefused(
            "not_pay_request",
            _("%(domain)s serves no valid Lightning Address payment request for %(address)s.")
            % {"domain": domain, "address": address},
        )
        callback = _http_url(offer.get("callback"))
        min_msat, max_msat = offer.get("minSendable"), offer.get("maxSendable")
        metadata = offer.get("metadata")
        if (
            offer.get("tag") != "payRequest"
            or callback is None
            or not isinstance(min_msat, int)
            or not isinstance(max_msat, int)
            or isinstance(min_msat, bool)
            or isinstance(max_msat, bool)
            or not 0 < min_msat <= max_msat
            or not isinstance(metadata, str)
        ):
            raise unusable
        try:
            entries = json.loads(metadata)
        except ValueError:
            raise unusable from None
        if not isinstance(entries, list) or not any(
            isinstance(entry, list) and entry[:1] == ["text/plain"] for entry in entries
        ):
            raise unusable
        return {
            "address": str(address),
            "callback": callback,
            # Served as this creator's own payRequest metadata (widgets/lnurl.py), so that
            # the provider's invoices commit to what the payer's wallet hashes.
            "metadata": metadata,
            "metadata_hash": metadata_hash(metadata),
            "min_sendable_msat": min_msat,
            "max_sendable_msat": max_msat,
            "allows_nostr": offer.get("allowsNostr") is True,
        }

    # --- invoices -------------------------------------------------------------------

    def make_invoice(
        self, *, amount_msat: int, description_hash: str, expiry_seconds: int
    ) -> MadeInvoice:
        """An invoice from the provider's callback, checked against the provider's metadata
        hash (not `description_hash`: see the module's docstring); `expiry_seconds` cannot
        be asked of an LNURL provider."""
        public = self.wallet.public
        payee = public.get("payee")
        return self._invoice(
            public,
            amount_msat=amount_msat,
            payee=payee if isinstance(payee, str) else None,
            verify_required=True,
        )

    @staticmethod
    def _invoice(
        public: dict[str, object], *, amount_msat: int, payee: str | None, verify_required: bool
    ) -> MadeInvoice:
        domain = str(public["address"]).split("@")[-1]
        if (
            not int(str(public["min_sendable_msat"]))
            <= amount_msat
            <= int(str(public["max_sendable_msat"]))
        ):
            raise WalletUnavailable(
                _("%(domain)s accepts between %(low)s and %(high)s sats.")
                % {
                    "domain": domain,
                    "low": -(-int(str(public["min_sendable_msat"])) // 1000),
                    "high": int(str(public["max_sendable_msat"])) // 1000,
                }
            )
        answer = _fetch(
            _amount_url(str(public["callback"]), amount_msat),
            max_bytes=ANSWER_MAX_BYTES,
            domain=domain,
        )
        pr = answer.get("pr")
        if not isinstance(pr, str):
            raise WalletUnavailable(_("%(domain)s gave no invoice.") % {"domain": domain})
        expected_hash = str(public["metadata_hash"])
        try:
            invoice_check(
                pr,
                amount_msat=amount_msat,
                network=settings.BITCACHE_NETWORK,
                description_hash=expected_hash,
                now=int(time.time()),
                payee=payee,
            )
        except InvoiceRefused as refusal:
            logger.warning("lightning address at %s: invoice refused (%s)", domain, refusal.code)
            raise WalletUnavailable(
                _("%(domain)s gave an invoice Bitcache cannot use: %(problem)s")
                % {"domain": domain, "problem": refusal.message}
            ) from None
        verify = _http_url(answer.get("verify")) or ""
        if verify_required and not verify:
            raise WalletUnavailable(
                _("%(domain)s no longer offers LNURL-verify.") % {"domain": domain}
            )
        return MadeInvoice(bolt11=pr, description_hash=expected_hash, verify_url=verify)

    def lookup_invoice(
        self, *, payment_hash: str, bolt11: str, verify_url: str = ""
    ) -> InvoiceLookup:
        domain = str(self.wallet.public.get("address", "")).split("@")[-1]
        if not verify_url:
            raise WalletUnavailable(_("No LNURL-verify URL is known for this invoice."))
        return self._verify(verify_url, bolt11=bolt11, payment_hash=payment_hash, domain=domain)

    @staticmethod
    def _verify(
        verify_url: str, *, bolt11: str, payment_hash: str | None, domain: str
    ) -> InvoiceLookup:
        """LUD-21: `settled` believed only for our invoice, with a preimage that proves it."""
        answer = _fetch(verify_url, max_bytes=ANSWER_MAX_BYTES, domain=domain)
        if answer.get("status") != "OK" or not isinstance(answer.get("settled"), bool):
            raise WalletUnavailable(
                _("%(domain)s answered LNURL-verify unusably.") % {"domain": domain}
            )
        pr = answer.get("pr")
        if not isinstance(pr, str) or pr.lower() != bolt11.lower():
            raise WalletUnavailable(
                _("%(domain)s answered LNURL-verify about another invoice.") % {"domain": domain}
            )
        if not answer["settled"]:
            return InvoiceLookup(settled=False)
        preimage = answer.get("preimage")
        proven = (
            payment_hash is not None
            and isinstance(preimage, str)
            and _HEX32.fullmatch(preimage.lower()) is not None
            and hashlib.sha256(bytes.fromhex(preimage)).hexdigest() == payment_hash.lower()
        )
        if not proven:
            logger.warning("lightning address at %s: 'settled' without a valid preimage", domain)
            raise WalletUnavailable(
                _("%(domain)s said the invoice was paid without proving it.") % {"domain": domain}
            )
        assert isinstance(preimage, str)
        return InvoiceLookup(settled=True, preimage=preimage.lower())
