"""BOLT11 Lightning invoices: decode one a wallet handed us, check it, or mint one.

Bitcache never trusts a wallet's answer: before a viewer sees an invoice, `invoice_check`
decodes it and refuses it unless it is for exactly the amount, network and description
hash we asked for, has not expired and carries a valid signature.

The bech32 and tagged-field work is done by the `bolt11` package (a maintained port of
rustyrussell's lnaddr.py reference code, used by LNbits); it is untyped in places, so it
is wrapped here behind typed functions and a frozen `Invoice` value.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

import bolt11 as _bolt11
from bolt11.exceptions import Bolt11SignatureVerifyException
from bolt11.models.features import Feature, Features, FeatureState
from bolt11.models.tags import Tag, TagChar, Tags
from coincurve import PublicKey
from coincurve.ecdsa import cdata_to_der, deserialize_recoverable, recoverable_convert

# BOLT11 currency prefixes (the part after "ln" in the human-readable part), by the
# network names btc.networks uses.
NETWORK_PREFIXES: dict[str, str] = {
    "mainnet": "bc",
    "testnet": "tb",
    "signet": "tbs",
    "regtest": "bcrt",
}

# BOLT11: "if the x field is absent, the default expiry is 3600 seconds".
DEFAULT_EXPIRY = 3600
# The longest invoice we look at: real ones with route hints stay well under 2 kB.
MAX_INVOICE_LENGTH = 7089


class InvoiceRefused(ValueError):
    """A wallet's invoice that must not be shown to a viewer; `code` for programs."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


@dataclass(frozen=True, slots=True)
class Invoice:
    bolt11: str
    network: str
    amount_msat: int | None
    timestamp: int
    expiry: int
    payment_hash: str
    payment_secret: str | None
    description: str | None
    description_hash: str | None
    # The 33-byte compressed public key of the node that signed the invoice (hex).
    payee: str
    min_final_cltv_expiry: int

    @property
    def expires_at(self) -> int:
        return self.timestamp + self.expiry

    def has_expired(self, now: int) -> bool:
        return now >= self.expires_at


def _network_of(prefix: str) -> str:
    for network, candidate in NETWORK_PREFIXES.items():
        if candidate == prefix:
            return network
    raise InvoiceRefused("unknown_network", "The invoice is for an unknown network.")


def _signature_valid(signature: _bolt11.Signature, payee: str) -> bool:
    """Checks the invoice signature against `payee` (decode only recovers a key from it)."""
    try:
        recoverable = deserialize_recoverable(signature.signature_data)
        der = cdata_to_der(recoverable_convert(recoverable))
        message = signature.hrp.encode("ascii") + signature.signing_data
        return bool(PublicKey(bytes.fromhex(payee)).verify(der, message))
    except (ValueError, TypeError):
        return False


def invoice_decode(pr: str) -> Invoice:
    """Decodes a BOLT11 invoice; raises InvoiceRefused for anything that is not a valid one."""
    if not isinstance(pr, str) or not pr or len(pr) > MAX_INVOICE_LENGTH:
        raise InvoiceRefused("garbage", "That is not a Lightning invoice.")
    text = pr.strip()
    if text.lower().startswith("lightning:"):
        text = text[len("lightning:") :]
    try:
        decoded = _bolt11.decode(text)
    except Bolt11SignatureVerifyException as exc:
        # The invoice names its payee (an `n` field) and the signature is not theirs.
        raise InvoiceRefused("bad_signature", "The invoice's signature does not verify.") from exc
    except _bolt11.Bolt11Exception as exc:
        raise InvoiceRefused("garbage", f"That is not a valid Lightning invoice ({exc}).") from exc
    except (ValueError, TypeError, IndexError, KeyError) as exc:
        # The bit-level readers raise plain errors on truncated or malformed fields.
        raise InvoiceRefused("garbage", "That is not a valid Lightning invoice.") from exc
    signature = decoded.signature
    payee = decoded.payee
    if signature is None or payee is None or not _signature_valid(signature, payee):
        raise InvoiceRefused("bad_signature", "The invoice's signature does not verify.")
    return Invoice(
        bolt11=text.lower(),
        network=_network_of(decoded.currency),
        amount_msat=int(decoded.amount_msat) if decoded.amount_msat is not None else None,
        timestamp=int(decoded.date),
        expiry=int(decoded.expiry),
        payment_hash=decoded.payment_hash,
        payment_secret=decoded.payment_secret,
        description=decoded.description,
        description_hash=decoded.description_hash,
        payee=payee,
        min_final_cltv_expiry=int(decoded.min_final_cltv_expiry),
    )


def invoice_check(
    pr: str,
    *,
    amount_msat: int,
    network: str,
    description_hash: str,
    now: int,
    payee: str | None = None,
) -> str:
    """The invoice's payment hash, if it is exactly the invoice we asked the wallet for.

    Refuses (InvoiceRefused) unless the invoice is validly signed (by `payee`, when the
    wallet's node key is known), for `amount_msat` on `network`, commits to
    `description_hash` (hex SHA-256 of the description we asked for) and has not expired
    at `now` (Unix seconds).
    """
    invoice = invoice_decode(pr)
    if payee is not None and invoice.payee != payee.lower():
        raise InvoiceRefused("wrong_payee", "The invoice was signed by another Lightning node.")
    if invoice.network != network:
        raise InvoiceRefused("wrong_network", "The invoice is for another bitcoin network.")
    if invoice.amount_msat is None:
        raise InvoiceRefused("no_amount", "The invoice has no amount.")
    if invoice.amount_msat != amount_msat:
        raise InvoiceRefused("wrong_amount", "The invoice is for another amount.")
    if invoice.description_hash is None or invoice.description_hash != description_hash.lower():
        raise InvoiceRefused(
            "wrong_description_hash", "The invoice does not commit to the description we asked for."
        )
    if invoice.has_expired(now):
        raise InvoiceRefused("expired", "The invoice has expired.")
    return invoice.payment_hash


def description_hash_of(description: str) -> str:
    """The hex SHA-256 a BOLT11 `h` field carries for `description` (UTF-8)."""
    return hashlib.sha256(description.encode("utf-8")).hexdigest()


def invoice_sign(
    *,
    private_key: bytes,
    network: str,
    amount_msat: int,
    payment_hash: str,
    payment_secret: str,
    timestamp: int,
    description_hash: str | None = None,
    description: str | None = None,
    expiry: int = DEFAULT_EXPIRY,
    min_final_cltv_expiry: int = 80,
) -> str:
    """A real, signed BOLT11 invoice, for the simulated wallet and the test doubles.

    Exactly one of `description_hash` (hex) and `description` must be given, as BOLT11
    requires. The signature is a recoverable ECDSA signature by `private_key` (32 bytes),
    so a decoder recovers the payee's key from it, as for any real node's invoice.
    """
    if (description_hash is None) == (description is None):
        raise ValueError("Give exactly one of description_hash and description.")
    if len(private_key) != 32:
        raise ValueError("The private key must be 32 bytes.")
    if amount_msat <= 0:
        raise ValueError("An invoice Bitcache mints always has a positive amount.")
    tags = Tags()
    tags.add(TagChar.payment_hash, _hex32(payment_hash, "payment_hash"))
    tags.add(TagChar.payment_secret, _hex32(payment_secret, "payment_secret"))
    if description_hash is not None:
        tags.add(TagChar.description_hash, _hex32(description_hash, "description_hash"))
    else:
        tags.add(TagChar.description, description)
    tags.add(TagChar.expire_time, expiry)
    tags.add(TagChar.min_final_cltv_expiry, min_final_cltv_expiry)
    tags.tags.append(
        Tag(
            TagChar.features,
            Features.from_feature_list(
                {
                    Feature.var_onion_optin: FeatureState.required,
                    Feature.payment_secret: FeatureState.required,
                }
            ),
        )
    )
    invoice = _bolt11.Bolt11(
        currency=NETWORK_PREFIXES[network],
        date=timestamp,
        tags=tags,
        amount_msat=_bolt11.MilliSatoshi(amount_msat),
    )
    return _bolt11.encode(invoice, private_key=private_key.hex())


def _hex32(value: str, name: str) -> str:
    try:
        raw = bytes.fromhex(value)
    except ValueError:
        raise ValueError(f"{name} must be hex.") from None
    if len(raw) != 32:
        raise ValueError(f"{name} must be 32 bytes.")
    return raw.hex()
