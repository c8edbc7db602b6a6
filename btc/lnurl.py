"""LNURL-pay as a Lightning Address service: the JSON Bitcache answers and the input it accepts.

LUD-06 (payRequest and its callback), LUD-12 (comments), LUD-16 (`user@domain`
addresses), LUD-18 (payer identity), LUD-21 (verify URL) and NIP-57's two payRequest
fields. Pure functions over dicts and strings; the views that serve them come later.

Why not the `lnurl` package: its models are for *clients* (fetching and validating a
service's answers, with httpx), it validates callback URLs as public https hosts (a
local `make run` is http://127.0.0.1), and its dependency bip32 pins coincurve<21,
below the coincurve this project uses. What a service needs is a few dicts and
careful validation of the callback's query, which is what this module is.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass

# LUD-12: the service says how long a comment may be; Bitcache allows a tweet's worth.
COMMENT_ALLOWED = 280
# LUD-16: "<username> is limited to a-z0-9-_.+" (lowercase only).
_USERNAME = re.compile(r"[a-z0-9\-_.+]+")
_DOMAIN = re.compile(r"(?=.{1,253}$)([a-z0-9]([a-z0-9\-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}")
# LUD-18: Bitcache asks only for an optional name, shown like a tip's display name.
MAX_PAYER_NAME = 100


class LnurlRefused(ValueError):
    """Input an LNURL callback must refuse; `reason` goes back as a LUD-06 error."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def error_answer(reason: str) -> dict[str, str]:
    """LUD-06's error answer, e.g. for a suspended creator or an amount out of range."""
    return {"status": "ERROR", "reason": reason}


def pay_metadata(*, text: str, identifier: str) -> str:
    """The metadata string: a JSON array of [mime, content] pairs, serialised once.

    The wallet hashes this exact string (LUD-06), so the service must keep it byte for
    byte: build it here, store or rebuild it identically, hash it with `metadata_hash`.
    LUD-16 requires `text/identifier` (or `text/email`) when served for an address.
    """
    return json.dumps(
        [["text/plain", text], ["text/identifier", identifier]],
        ensure_ascii=False,
        separators=(",", ":"),
    )


def invoice_description(
    metadata: str, *, payer_data: str | None = None, zap_request: str | None = None
) -> str:
    """The description the invoice's description hash must commit to.

    LUD-06: the metadata string. LUD-18: metadata + the payerdata string exactly as the
    wallet sent it. NIP-57: the zap request event's JSON exactly as sent (it replaces the
    metadata).
    """
    if zap_request is not None:
        return zap_request
    if payer_data is not None:
        return metadata + payer_data
    return metadata


def metadata_hash(description: str) -> str:
    """The hex SHA-256 of a description, as the invoice's BOLT11 `h` field carries it."""
    return hashlib.sha256(description.encode("utf-8")).hexdigest()


def pay_request(
    *,
    callback: str,
    metadata: str,
    min_sendable_msat: int,
    max_sendable_msat: int,
    comment_allowed: int = COMMENT_ALLOWED,
    ask_payer_name: bool = True,
    nostr_pubkey: str | None = None,
) -> dict[str, object]:
    """The LUD-06 payRequest a wallet reads at /.well-known/lnurlp/<handle>."""
    if not 0 < min_sendable_msat <= max_sendable_msat:
        raise ValueError("Need 0 < minSendable <= maxSendable.")
    answer: dict[str, object] = {
        "tag": "payRequest",
        "callback": callback,
        "metadata": metadata,
        "minSendable": min_sendable_msat,
        "maxSendable": max_sendable_msat,
    }
    if comment_allowed:
        answer["commentAllowed"] = comment_allowed
    if ask_payer_name:
        answer["payerData"] = {"name": {"mandatory": False}}
    if nostr_pubkey is not None:
        if not re.fullmatch(r"[0-9a-f]{64}", nostr_pubkey):
            raise ValueError("nostrPubkey must be a 32-byte hex x-only public key.")
        answer["allowsNostr"] = True
        answer["nostrPubkey"] = nostr_pubkey
    return answer


@dataclass(frozen=True, slots=True)
class CallbackRequest:
    """A valid callback query: what the invoice must be for and what the viewer said."""

    amount_msat: int
    comment: str = ""
    payer_name: str = ""
    # The raw strings as sent: the description hash commits to them byte for byte.
    payer_data: str | None = None
    zap_request: str | None = None


def callback_parse(
    query: Mapping[str, str],
    *,
    min_sendable_msat: int,
    max_sendable_msat: int,
    comment_allowed: int = COMMENT_ALLOWED,
    ask_payer_name: bool = True,
) -> CallbackRequest:
    """Validates the callback's query (`amount`, LUD-12 `comment`, LUD-18 `payerdata`,
    NIP-57 `nostr`); raises LnurlRefused with a reason the wallet shows its user.

    The zap request itself is checked by `nwc.nip57.zap_request_check`, which needs the
    amount parsed here.
    """
    raw_amount = query.get("amount", "")
    if not re.fullmatch(r"[0-9]{1,18}", raw_amount):
        raise LnurlRefused("The amount must be a whole number of millisatoshis.")
    amount_msat = int(raw_amount)
    if not min_sendable_msat <= amount_msat <= max_sendable_msat:
        raise LnurlRefused(
            f"The amount must be between {min_sendable_msat} and {max_sendable_msat} millisatoshis."
        )
    comment = query.get("comment", "")
    if len(comment) > comment_allowed:
        raise LnurlRefused(
            f"The comment is too long: at most {comment_allowed} characters."
            if comment_allowed
            else "Comments are not accepted here."
        )
    payer_data = query.get("payerdata")
    payer_name = _payer_name(payer_data, ask_payer_name) if payer_data is not None else ""
    zap_request = query.get("nostr")
    return CallbackRequest(
        amount_msat=amount_msat,
        comment=comment,
        payer_name=payer_name,
        payer_data=payer_data,
        zap_request=zap_request,
    )


def _payer_name(payer_data: str, ask_payer_name: bool) -> str:
    """LUD-18: payerdata is a JSON object with only the fields the service asked for."""
    try:
        data = json.loads(payer_data)
    except ValueError:
        raise LnurlRefused("payerdata must be a JSON object.") from None
    if not isinstance(data, dict):
        raise LnurlRefused("payerdata must be a JSON object.")
    asked = {"name"} if ask_payer_name else set()
    unasked = sorted(set(data) - asked)
    if unasked:
        raise LnurlRefused("payerdata has fields this service did not ask for.")
    name = data.get("name", "")
    if not isinstance(name, str):
        raise LnurlRefused("payerdata.name must be a string.")
    if len(name) > MAX_PAYER_NAME:
        raise LnurlRefused(f"payerdata.name is too long: at most {MAX_PAYER_NAME} characters.")
    return name


def verify_url(base: str, payment_hash: str) -> str:
    """LUD-21: where anyone holding the invoice can ask whether it was paid."""
    if not re.fullmatch(r"[0-9a-f]{64}", payment_hash):
        raise ValueError("payment_hash must be 32 bytes of lowercase hex.")
    return f"{base.rstrip('/')}/{payment_hash}"


def callback_answer(
    *, pr: str, verify: str, success_message: str | None = None
) -> dict[str, object]:
    """LUD-06's answer to a valid callback: the invoice, no routes, LUD-09, LUD-21."""
    success_action: dict[str, str] | None = None
    if success_message:
        # LUD-09: a message action's text is at most 144 characters.
        success_action = {"tag": "message", "message": success_message[:144]}
    return {"pr": pr, "routes": [], "successAction": success_action, "verify": verify}


def verify_answer(*, settled: bool, pr: str, preimage: str | None = None) -> dict[str, object]:
    """LUD-21's answer at the verify URL."""
    return {"status": "OK", "settled": settled, "preimage": preimage, "pr": pr}


@dataclass(frozen=True, slots=True)
class LightningAddress:
    username: str
    domain: str

    def __str__(self) -> str:
        return f"{self.username}@{self.domain}"

    @property
    def url(self) -> str:
        """LUD-16: where the address's payRequest lives (plain http only for .onion)."""
        scheme = "http" if self.domain.endswith(".onion") else "https"
        return f"{scheme}://{self.domain}/.well-known/lnurlp/{self.username}"


def lightning_address_parse(text: str) -> LightningAddress:
    """A LUD-16 `username@domain`; raises ValueError with a reason a creator can act on."""
    candidate = text.strip()
    if candidate.lower().startswith("lightning:"):
        candidate = candidate[len("lightning:") :]
    if len(candidate) > 320 or candidate.count("@") != 1:
        raise ValueError("A Lightning Address looks like name@wallet.example.")
    username, domain = candidate.split("@")
    domain = domain.lower()
    if not _USERNAME.fullmatch(username):
        raise ValueError("The part before the @ may only use lowercase letters, digits and - _ . +")
    if not _DOMAIN.fullmatch(domain):
        raise ValueError("The part after the @ must be a domain name, such as wallet.example.")
    return LightningAddress(username=username, domain=domain)
