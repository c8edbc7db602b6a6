"""Writes for a creator's Lightning wallet connection: connect, test, remove, reseal.

The connection secret (an NWC client key) is a credential: it is sealed (web.sealing) the
moment an adapter hands it over, and nothing here logs, returns or formats it. Messages
raised to the creator come from the adapters, which never quote what was pasted.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from typing import cast

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.debug import sensitive_variables

from btc.bolt11 import InvoiceRefused, description_hash_of, invoice_check, invoice_decode
from creators.models import Creator, LightningWallet, LightningWalletKind
from payments.lightning.wallets import (
    WalletAdapter,
    WalletRefused,
    WalletUnavailable,
    adapter_class,
    adapter_for,
)
from web.sealing import SealBroken, reseal, seal

logger = logging.getLogger(__name__)

NWC_PREFIX = "nostr+walletconnect://"
# What the connection test's invoice describes (Lightning Address providers use their own).
TEST_DESCRIPTION = "Bitcache connection test"


def wallet_kind_detect(text: str) -> str:
    """The kind a pasted text connects: an NWC URI or a Lightning Address."""
    candidate = text.strip()
    if candidate.lower().startswith(NWC_PREFIX):
        return LightningWalletKind.NWC
    if "@" in candidate and "://" not in candidate:
        return LightningWalletKind.LIGHTNING_ADDRESS
    raise WalletRefused(
        "unknown_kind",
        _(
            "Paste a Nostr Wallet Connect URI (nostr+walletconnect://…) or a Lightning "
            "Address (name@wallet.example)."
        ),
    )


# Error reports (Django's) show no local variable of this call or any below it (the
# adapter's): what was pasted, and what the adapter parsed from it, are secrets.
@sensitive_variables()
def lightning_wallet_connect(*, creator: Creator, kind: str, text: str) -> LightningWallet:
    """Connects (or replaces) the creator's wallet; raises WalletRefused/WalletUnavailable.

    The adapter asks the wallet what it allows before anything is stored: a refused or
    unreachable wallet leaves the current connection as it was.
    """
    try:
        adapter = cast("type[WalletAdapter]", adapter_class(kind))
    except KeyError:
        label = dict(LightningWalletKind.choices).get(kind, kind)
        raise WalletRefused(
            "unavailable",
            _("%(kind)s is not available on this server yet.") % {"kind": label},
        ) from None
    connected = adapter.connect(text)
    with transaction.atomic():
        wallet, created = LightningWallet.objects.select_for_update().update_or_create(
            creator=creator,
            defaults={
                "kind": kind,
                "label": connected.label[:200],
                "public": connected.public,
                "secret_sealed": seal(connected.secret) if connected.secret else "",
                "tested_at": None,
            },
        )
    logger.info(
        "creator %s %s a %s Lightning wallet",
        creator.pk,
        "connected" if created else "replaced their wallet with",
        kind,
    )
    return wallet


@dataclass(frozen=True)
class WalletTested:
    """What the creator sees after a successful test."""

    amount_sats: int
    payee: str
    payment_hash: str


def _test_amount_msat(wallet: LightningWallet) -> int:
    """1 sat, or the smallest whole-sat amount a Lightning Address provider accepts."""
    minimum = wallet.public.get("min_sendable_msat")
    minimum_msat = minimum if isinstance(minimum, int) else 0
    return max(1000, -(-minimum_msat // 1000) * 1000)


def lightning_wallet_test(*, wallet: LightningWallet) -> WalletTested:
    """Asks the wallet for a small invoice and checks it (btc.bolt11.invoice_check).

    On success the invoice's node key is pinned in `public["payee"]` (later invoices must be
    signed by it) and `tested_at` is set. On failure raises WalletUnavailable with a message
    for the creator, and the connection is left as it was.
    """
    amount_msat = _test_amount_msat(wallet)
    # Re-testing is how the creator re-pins a node that changed: ask without the old pin.
    unpinned = LightningWallet(
        pk=wallet.pk,
        creator_id=wallet.creator_id,
        kind=wallet.kind,
        label=wallet.label,
        public={key: value for key, value in wallet.public.items() if key != "payee"},
        secret_sealed=wallet.secret_sealed,
    )
    try:
        adapter = adapter_for(unpinned)
    except KeyError:
        raise WalletUnavailable(
            _("This kind of wallet connection is not available on this server yet.")
        ) from None
    try:
        made = adapter.make_invoice(
            amount_msat=amount_msat,
            description_hash=description_hash_of(TEST_DESCRIPTION),
            expiry_seconds=600,
        )
        payment_hash = invoice_check(
            made.bolt11,
            amount_msat=amount_msat,
            network=settings.BITCACHE_NETWORK,
            description_hash=made.description_hash,
            now=int(time.time()),
        )
    except InvoiceRefused as refusal:
        logger.info("wallet %s: test invoice refused (%s)", wallet.pk, refusal.code)
        raise WalletUnavailable(
            _("The wallet's test invoice was refused: %(problem)s") % {"problem": refusal.message}
        ) from None
    except WalletRefused as refusal:
        raise WalletUnavailable(refusal.message) from None
    payee = invoice_decode(made.bolt11).payee
    wallet.public = {**wallet.public, "payee": payee}
    wallet.tested_at = timezone.now()
    wallet.save(update_fields=["public", "tested_at", "updated_at"])
    logger.info("wallet %s tested: %s sat invoice from node %s", wallet.pk, amount_msat, payee)
    return WalletTested(amount_sats=amount_msat // 1000, payee=payee, payment_hash=payment_hash)


def lightning_wallet_remove(*, wallet: LightningWallet) -> None:
    """Forgets the connection, sealed secret included (the wallet itself is not touched)."""
    logger.info("creator %s removed their %s Lightning wallet", wallet.creator_id, wallet.kind)
    wallet.delete()


def lightning_wallets_reseal() -> tuple[int, list[int]]:
    """Re-seals every stored secret under the first sealing key (key rotation).

    Returns (how many were resealed, ids of wallets no configured key opens). Run it after
    putting a new key first in BITCACHE_SEALING_KEYS, before dropping the old one.
    """
    resealed, broken = 0, []
    for wallet in LightningWallet.objects.exclude(secret_sealed="").only("pk", "secret_sealed"):
        try:
            token = reseal(wallet.secret_sealed)
        except SealBroken:
            broken.append(wallet.pk)
            continue
        LightningWallet.objects.filter(pk=wallet.pk).update(secret_sealed=token)
        resealed += 1
    return resealed, broken
