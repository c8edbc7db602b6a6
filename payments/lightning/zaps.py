"""Zap receipts (NIP-57 Appendix E): once a zap's invoice is paid, the site signs a kind-9735
receipt with its own nostr key and publishes it to the relays the zap request named, so
the zapper's client shows the zap.

The receipt is written with the tip's confirmation (the `zap_receipt` listener of the tip
events outbox, in that transaction) and sent afterwards; a relay that is down is tried
again with backoff (ATTEMPT_DELAYS), never holding up crediting.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from payments.models import LightningInvoice, ZapReceipt

logger = logging.getLogger(__name__)

# After the first attempt: 30 s, 2 min, 10 min, 1 h, 6 h; then given up.
ATTEMPT_DELAYS = (
    timedelta(seconds=30),
    timedelta(minutes=2),
    timedelta(minutes=10),
    timedelta(hours=1),
    timedelta(hours=6),
)
PUBLISH_TIMEOUT_SECONDS = 10.0


def zap_receipt_record(*, invoice: LightningInvoice) -> ZapReceipt | None:
    """Sign the receipt for a paid zap (once per invoice). None when the invoice is not a
    zap, is not paid, or its request has no relay to publish to."""
    from nwc.nip57 import zap_receipt_build, zap_request_check

    if not invoice.zap_request or invoice.settled_at is None:
        return None
    if ZapReceipt.objects.filter(invoice=invoice).exists():
        return None
    zap = zap_request_check(invoice.zap_request, amount_msat=invoice.amount_msat)
    if not zap.relays:
        return None
    event = zap_receipt_build(
        settings.BITCACHE_NOSTR_SECRET_KEY,
        zap,
        bolt11=invoice.bolt11,
        paid_at=int(invoice.settled_at.timestamp()),
        preimage=invoice.preimage or None,
    )
    receipt = ZapReceipt.objects.create(
        invoice=invoice, event=event.as_dict(), relays=list(zap.relays)
    )
    transaction.on_commit(lambda: _queue(receipt.pk))
    return receipt


def _queue(receipt_id: int) -> None:
    from payments.tasks import zap_receipt_publish

    zap_receipt_publish.delay(receipt_id)


def zap_receipt_send(*, receipt_id: int, now: datetime | None = None) -> bool:
    """Publish a receipt to the relays that have not taken it yet. True once every relay
    took it; otherwise the next attempt is scheduled (or, past the last, given up)."""
    from nwc.events import event_parse
    from nwc.relay import RelayError, publish
    from payments.lightning.nwc_wallet import relay_opener

    now = now or timezone.now()
    with transaction.atomic():
        receipt = (
            ZapReceipt.objects.select_for_update(skip_locked=True)
            .filter(pk=receipt_id, next_attempt_at__isnull=False)
            .first()
        )
        if receipt is None:
            return False  # done, given up, or another worker is sending it
        missing = [relay for relay in receipt.relays if relay not in receipt.published_to]
        try:
            accepted = publish(
                missing,
                event_parse(receipt.event),
                timeout=PUBLISH_TIMEOUT_SECONDS,
                attempts=2,
                opener=relay_opener(),
            )
            problem = ""
        except RelayError as exc:
            accepted, problem = [], str(exc)[:300]
        receipt.published_to = [*receipt.published_to, *accepted]
        receipt.attempts += 1
        receipt.last_problem = problem
        done = set(receipt.relays) <= set(receipt.published_to)
        if done or receipt.attempts > len(ATTEMPT_DELAYS):
            receipt.next_attempt_at = None
            if not done:
                logger.warning("zap receipt %s: given up (%s)", receipt.pk, problem or "refused")
        else:
            receipt.next_attempt_at = now + ATTEMPT_DELAYS[receipt.attempts - 1]
        receipt.save()
    return done


def zap_receipts_send_due(*, now: datetime | None = None) -> int:
    """Beat: send the receipts whose next attempt is due. Returns how many were tried."""
    now = now or timezone.now()
    due = list(
        ZapReceipt.objects.filter(next_attempt_at__lte=now)
        .order_by("next_attempt_at")
        .values_list("pk", flat=True)[:100]
    )
    for receipt_id in due:
        zap_receipt_send(receipt_id=receipt_id, now=now)
    return len(due)
