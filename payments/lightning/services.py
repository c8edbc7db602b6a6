"""Writes of the Lightning rail: a tip paid with an invoice of the creator's own wallet.

`lightning_tip_create` asks the wallet for an invoice, checks every field of what comes back
(btc.bolt11.invoice_check) and only then records the tip with its invoice, in one
transaction. `invoice_settled` is the one way a payment is taken in, whoever reports it (a
wallet notification, the look-up poll, the simulated wallet): it records the fact on the
invoice and lets `payments.services.tip_refresh` derive the tip's status from it, so the
outbox event (webhooks, emails, live updates, paid unlocks) follows as for an on-chain tip.
"""

from __future__ import annotations

import hashlib
import logging
import re
from datetime import UTC, datetime, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from btc.bolt11 import InvoiceRefused, invoice_check, invoice_decode
from btc.lnurl import metadata_hash
from chain.models import ChainState
from creators.models import Creator, CreatorStatus, LightningWallet
from payments.lightning.wallets import MadeInvoice, WalletUnavailable, adapter_for
from payments.models import LightningInvoice, Rail, Tip
from payments.pricing import creator_pricing, item_price_sats, minimum_tip_sats
from payments.services import (
    MESSAGE_MAX_LENGTH,
    NAME_MAX_LENGTH,
    SaleItem,
    TipOrigin,
    TipRefused,
    amount_check,
    clean_text,
    tip_message_flagged,
    tip_refresh,
)

log = logging.getLogger(__name__)

_HEX32 = re.compile(r"[0-9a-f]{64}")


def lightning_wallet_of(creator: Creator) -> LightningWallet | None:
    return LightningWallet.objects.filter(creator=creator).first()


def lightning_max_sats() -> int:
    """The largest Lightning tip offered (LNURL maxSendable, in sats)."""
    return min(settings.BITCACHE_LIGHTNING_MAX_SATS, settings.BITCACHE_MAX_TIP_SATS)


def _not_accepting() -> TipRefused:
    return TipRefused("not_accepting", _("This creator is not accepting tips right now."))


def lightning_tip_create(
    *,
    creator: Creator,
    amount_msat: int,
    description: str,
    name: str = "",
    name_public: bool = False,
    message: str = "",
    zap_request: str = "",
    widget: TipOrigin | None = None,
    video_id: str = "",
    unlock_item: SaleItem | None = None,
    client: str = "",
    now: datetime | None = None,
) -> Tip:
    """A tip awaiting payment of an invoice the creator's wallet made for exactly
    `amount_msat`, committing to `description` (the LNURL metadata, payer data or zap
    request: btc.lnurl.invoice_description).

    The wallet's answer is refused (TipRefused, nothing recorded) unless it is a validly
    signed invoice for that amount, on BITCACHE_NETWORK, with that description hash, not
    expired, and with a payment hash Bitcache has never issued. A Lightning tip takes no
    address and holds none of the open-tip places (payments.models.tip_holds_place).
    """
    now = now or timezone.now()
    if creator.status != CreatorStatus.ACTIVE or (widget is not None and not widget.is_active):
        raise _not_accepting()
    if widget is not None and widget.creator_id != creator.pk:
        raise TipRefused("not_accepting", _("This widget does not belong to this creator."))
    if unlock_item is not None and unlock_item.creator_id != creator.pk:
        raise TipRefused("not_accepting", _("This item does not belong to this creator."))
    wallet = lightning_wallet_of(creator)
    if wallet is None:
        raise _not_accepting()
    if amount_msat <= 0 or amount_msat % 1000:
        raise TipRefused("amount_invalid", _("A Lightning tip must be a whole number of sats."))
    # Priced like an on-chain tip: a fiat minimum or item price at the rate of the moment,
    # and the tip keeps that rate (Tip.rate_snapshot).
    shown = creator_pricing(creator, now=now)
    if unlock_item is not None:
        minimum = item_price_sats(unlock_item, shown)
    else:
        minimum = minimum_tip_sats(creator, widget, pricing=shown)
    amount_sats = amount_check(amount_msat // 1000, minimum, shown)
    if amount_sats > lightning_max_sats():
        raise TipRefused(
            "amount_too_large", _("That is more than this creator accepts over Lightning.")
        )
    name = clean_text(name, NAME_MAX_LENGTH, "name")
    message = clean_text(message, MESSAGE_MAX_LENGTH, "message")
    message_flagged = tip_message_flagged(message)
    description_hash = metadata_hash(description)

    # Outside any transaction: the wallet may take seconds (its adapter times out).
    try:
        made, payment_hash = _invoice_asked(
            wallet,
            amount_msat=amount_msat,
            description_hash=description_hash,
            expiry_seconds=settings.BITCACHE_LIGHTNING_INVOICE_SECONDS,
            now=now,
        )
    except WalletUnavailable as exc:
        log.warning("creator %s: wallet unavailable for an invoice: %s", creator.pk, exc.message)
        raise TipRefused(
            "wallet_unavailable",
            _("This creator's Lightning wallet did not answer. Please try again in a minute."),
        ) from None
    except InvoiceRefused as exc:
        # The wallet's mistake (or a forgery): the viewer is never shown that invoice.
        log.warning("creator %s: wallet invoice refused (%s)", creator.pk, exc.code)
        raise TipRefused(
            "wallet_refused",
            _("This creator's Lightning wallet gave an invoice that does not match the tip."),
        ) from None
    bolt11 = made.bolt11
    decoded = invoice_decode(bolt11)
    expires_at = datetime.fromtimestamp(decoded.timestamp + decoded.expiry, tz=UTC)
    duplicate = TipRefused(
        "wallet_refused",
        _("This creator's Lightning wallet gave an invoice that was used before."),
    )
    if LightningInvoice.objects.filter(payment_hash=payment_hash).exists():
        log.warning("creator %s: wallet returned a known payment hash", creator.pk)
        raise duplicate
    try:
        with transaction.atomic():
            tip = Tip.objects.create(
                creator=creator,
                rail=Rail.LIGHTNING,
                address=None,
                widget_id=widget.pk if widget else None,
                unlock_item_id=unlock_item.pk if unlock_item else None,
                video_id=(video_id or (widget.video_id if widget else ""))[:200],
                amount_sats=amount_sats,
                minimum_sats=minimum,
                name=name,
                name_public=name_public and bool(name),
                message=message,
                message_flagged=message_flagged,
                confirmations_required=0,
                created_at=now,
                **Tip.snapshot_fields(shown.rate),
                expires_at=expires_at,
                watch_until=expires_at,
                client_fingerprint=client,
            )
            LightningInvoice.objects.create(
                tip=tip,
                payment_hash=payment_hash,
                bolt11=bolt11,
                amount_msat=amount_msat,
                description_hash=description_hash,
                verify_url=made.verify_url,
                expires_at=expires_at,
                zap_request=zap_request,
                next_lookup_at=now + next_lookup_delay(0),
                created_at=now,
            )
    except IntegrityError:
        # The same hash recorded meanwhile by another request.
        raise duplicate from None
    return tip


def lightning_invoice_attach(
    *, tip: Tip, description: str, now: datetime | None = None
) -> LightningInvoice | None:
    """Offer an on-chain tip over Lightning too (the unified BIP21 QR): an invoice from the
    creator's wallet for the tip's amount, valid as long as the tip's payment window, checked
    like every wallet answer. None, and the tip stays on-chain only, when the creator has no
    wallet or it fails to give a good invoice: the viewer can still pay on-chain.

    The tip keeps rail `onchain` until the invoice is paid (invoice_settled moves it).
    """
    now = now or timezone.now()
    wallet = lightning_wallet_of(tip.creator)
    seconds = int((tip.expires_at - now).total_seconds())
    if wallet is None or seconds < 60 or tip.amount_sats > lightning_max_sats():
        return None
    amount_msat = tip.amount_sats * 1000
    description_hash = metadata_hash(description)
    try:
        made, payment_hash = _invoice_asked(
            wallet,
            amount_msat=amount_msat,
            description_hash=description_hash,
            expiry_seconds=seconds,
            now=now,
        )
    except WalletUnavailable as exc:
        log.info("creator %s: no invoice for a unified QR: %s", tip.creator_id, exc.message)
        return None
    except InvoiceRefused as exc:
        log.warning("creator %s: wallet invoice refused (%s)", tip.creator_id, exc.code)
        return None
    bolt11 = made.bolt11
    decoded = invoice_decode(bolt11)
    try:
        with transaction.atomic():
            return LightningInvoice.objects.create(
                tip=tip,
                payment_hash=payment_hash,
                bolt11=bolt11,
                amount_msat=amount_msat,
                description_hash=description_hash,
                verify_url=made.verify_url,
                expires_at=datetime.fromtimestamp(decoded.timestamp + decoded.expiry, tz=UTC),
                next_lookup_at=now + next_lookup_delay(0),
                created_at=now,
            )
    except IntegrityError:
        log.warning("creator %s: wallet returned a known payment hash", tip.creator_id)
        return None


def _invoice_asked(
    wallet: LightningWallet,
    *,
    amount_msat: int,
    description_hash: str,
    expiry_seconds: int,
    now: datetime,
) -> tuple[MadeInvoice, str]:
    """An invoice from the creator's wallet and its payment hash, once checked against what
    was asked (amount, network, description hash, expiry, the pinned node): never trusted.
    Raises WalletUnavailable or InvoiceRefused."""
    made = adapter_for(wallet).make_invoice(
        amount_msat=amount_msat, description_hash=description_hash, expiry_seconds=expiry_seconds
    )
    payment_hash = invoice_check(
        made.bolt11,
        amount_msat=amount_msat,
        network=settings.BITCACHE_NETWORK,
        description_hash=description_hash,
        now=int(now.timestamp()),
        payee=_pinned_payee(wallet),
    )
    return made, payment_hash


def _pinned_payee(wallet: LightningWallet) -> str | None:
    """The wallet's node key, when the connection test pinned it."""
    payee = wallet.public.get("payee") if isinstance(wallet.public, dict) else None
    return payee if isinstance(payee, str) else None


def _preimage_matches(preimage: str, payment_hash: str) -> bool:
    try:
        raw = bytes.fromhex(preimage)
    except ValueError:
        return False
    return len(raw) == 32 and hashlib.sha256(raw).hexdigest() == payment_hash


def invoice_settled(
    *, payment_hash: str, preimage: str | None, now: datetime | None = None
) -> Tip | None:
    """A wallet reports the invoice with `payment_hash` paid: its tip is confirmed, final.

    Idempotent (the same report twice changes nothing more). A hash Bitcache never issued
    changes nothing and returns None; so does a preimage that does not hash to
    `payment_hash` (whoever sent it did not see the payment). Without a preimage (a
    LUD-21 verify or look-up answer that omits it) the wallet's word is taken: the
    invoice is known, and only its wallet can say it was paid.
    """
    now = now or timezone.now()
    payment_hash = (payment_hash or "").lower()
    if not _HEX32.fullmatch(payment_hash):
        return None
    if preimage is not None:
        preimage = preimage.lower()
        if not _preimage_matches(preimage, payment_hash):
            log.warning("invoice %s: reported paid with a wrong preimage, ignored", payment_hash)
            return None
    with transaction.atomic():
        invoice = (
            LightningInvoice.objects.select_for_update().filter(payment_hash=payment_hash).first()
        )
        if invoice is None:
            log.info("invoice %s: reported paid, not ours: ignored", payment_hash)
            return None
        tip = Tip.objects.select_for_update().get(pk=invoice.tip_id)
        if invoice.settled_at is not None:
            if preimage and not invoice.preimage:
                invoice.preimage = preimage
                invoice.save(update_fields=["preimage"])
            return tip
        invoice.settled_at = now
        invoice.preimage = preimage or ""
        invoice.next_lookup_at = None
        invoice.save(update_fields=["settled_at", "preimage", "next_lookup_at"])
        if tip.rail != Rail.LIGHTNING:
            # A tip offered on both rails (unified QR) was paid over Lightning.
            tip.rail = Rail.LIGHTNING
            tip.save(update_fields=["rail", "updated_at"])
        scanned = ChainState.load().height if tip.address_id is not None else None
        return tip_refresh(
            Tip.objects.prefetch_related("payments").get(pk=tip.pk), scanned_height=scanned, now=now
        )


# --- Looking invoices up (the fallback when no notification comes) -----------------

FIRST_LOOKUP = timedelta(seconds=3)
MAX_LOOKUP_DELAY = timedelta(minutes=2)
LOOKUP_BATCH = 200


def next_lookup_delay(lookups: int) -> timedelta:
    """3 s after the invoice is made, then 6 s, 12 s ... up to 2 minutes between look-ups:
    a viewer usually pays within the first minute; a notification, when the wallet sends
    them, is faster anyway."""
    return min(FIRST_LOOKUP * 2 ** min(lookups, 10), MAX_LOOKUP_DELAY)


def invoice_lookup(*, invoice_id: int, now: datetime | None = None) -> bool:
    """Ask the creator's wallet about one open invoice; settle it if paid, else schedule
    the next look-up (none once the invoice has expired). True if it was settled."""
    now = now or timezone.now()
    invoice = (
        LightningInvoice.objects.select_related("tip__creator")
        .filter(pk=invoice_id, settled_at__isnull=True, next_lookup_at__isnull=False)
        .first()
    )
    if invoice is None:
        return False
    wallet = lightning_wallet_of(invoice.tip.creator)
    settled = False
    if wallet is not None:
        try:
            answer = adapter_for(wallet).lookup_invoice(
                payment_hash=invoice.payment_hash,
                bolt11=invoice.bolt11,
                verify_url=invoice.verify_url,
            )
        except WalletUnavailable as exc:
            log.info("invoice %s: look-up failed: %s", invoice.payment_hash, exc.message)
        else:
            if answer.settled:
                settled = (
                    invoice_settled(
                        payment_hash=invoice.payment_hash, preimage=answer.preimage, now=now
                    )
                    is not None
                )
    if settled:
        return True
    lookups = invoice.lookups + 1
    # One last look-up just after the expiry (a payment made at the last second), then none.
    due: datetime | None = now + next_lookup_delay(lookups)
    if now >= invoice.expires_at or wallet is None:
        due = None
    elif due is not None and due > invoice.expires_at:
        due = invoice.expires_at + FIRST_LOOKUP
    LightningInvoice.objects.filter(pk=invoice.pk, settled_at__isnull=True).update(
        lookups=lookups, next_lookup_at=due
    )
    return False


def invoices_lookup_due(*, now: datetime | None = None, limit: int = LOOKUP_BATCH) -> int:
    """Look up every open invoice whose look-up is due; how many were settled."""
    now = now or timezone.now()
    due = list(
        LightningInvoice.objects.filter(settled_at__isnull=True, next_lookup_at__lte=now)
        .order_by("next_lookup_at")
        .values_list("pk", flat=True)[:limit]
    )
    return sum(invoice_lookup(invoice_id=pk, now=now) for pk in due)
