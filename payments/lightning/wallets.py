"""One interface to a creator's Lightning wallet, whatever connects it.

Each `LightningWallet.kind` has an adapter class registered here (`register`): the simulated
wallet (make run, tests), Nostr Wallet Connect and a Lightning Address with LNURL-verify.
Adapters only *talk* to the wallet; they never trust it: callers check every invoice with
btc.bolt11.invoice_check against what they asked for, and a "settled" answer only counts for
a payment hash Bitcache issued.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import ClassVar, Protocol, TypeVar

from creators.models import LightningWallet


class WalletUnavailable(Exception):
    """The wallet did not answer in time, or answered something unusable. `message` is safe
    to show the creator (it never quotes a secret); viewers get a generic notice."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class WalletRefused(ValueError):
    """A connection Bitcache will not use (it can spend, lacks make_invoice/lookup_invoice,
    its Lightning Address has no LNURL-verify...). `message` tells the creator what to do."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


@dataclass(frozen=True)
class Connected:
    """What `connect` learnt: stored as LightningWallet.label / .public / sealed secret."""

    label: str
    public: dict[str, object]
    secret: str = field(default="", repr=False)


@dataclass(frozen=True)
class MadeInvoice:
    """A wallet's invoice, and what Bitcache keeps to check it and to ask about it later.

    `description_hash` is the hash the invoice must commit to (callers pass it to
    btc.bolt11.invoice_check): the one asked for, except for a Lightning Address, whose
    provider hashes its own LNURL metadata and cannot commit to ours. `verify_url` is
    where a Lightning Address provider answers whether it was paid (LUD-21): store it
    with the invoice and pass it back to `lookup_invoice` ("" for other kinds).
    """

    bolt11: str
    description_hash: str
    verify_url: str = ""


@dataclass(frozen=True)
class InvoiceLookup:
    settled: bool
    preimage: str | None = None


class WalletAdapter(Protocol):
    kind: ClassVar[str]

    @classmethod
    def connect(cls, text: str) -> Connected:
        """Parses what the creator pasted and asks the wallet what it allows; raises
        WalletRefused (bad input, or a connection that can spend) or WalletUnavailable."""
        ...

    def make_invoice(
        self, *, amount_msat: int, description_hash: str, expiry_seconds: int
    ) -> MadeInvoice:
        """A BOLT11 invoice for exactly that amount committing to that description hash
        (or, for a Lightning Address, to its provider's metadata: see MadeInvoice)."""
        ...

    def lookup_invoice(
        self, *, payment_hash: str, bolt11: str, verify_url: str = ""
    ) -> InvoiceLookup:
        """Whether the invoice was paid; `verify_url` is MadeInvoice.verify_url."""
        ...


_ADAPTERS: dict[str, type] = {}
T = TypeVar("T", bound=type)


def register(adapter: T) -> T:
    """Class decorator: the adapter for LightningWallet.kind == adapter.kind."""
    _ADAPTERS[adapter.kind] = adapter  # type: ignore[attr-defined]
    return adapter


def adapter_class(kind: str) -> type:
    return _ADAPTERS[kind]


def adapter_for(wallet: LightningWallet) -> WalletAdapter:
    adapter: WalletAdapter = _ADAPTERS[wallet.kind](wallet)
    return adapter
