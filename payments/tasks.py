"""Celery tasks: interfaces only; the work is in the watcher and the services."""

from __future__ import annotations

import logging
from datetime import timedelta
from smtplib import SMTPException

from celery import shared_task
from django.utils import timezone

from chain import ChainSourceError, get_chain_source
from chain.models import ChainState
from payments.events import tip_events_dispatch_pending, tip_events_prune, tips_announce
from payments.lightning.services import invoices_lookup_due
from payments.lightning.zaps import zap_receipt_send, zap_receipts_send_due
from payments.models import Tip
from payments.notifications import tip_confirmed_notify, tip_reversed_notify
from payments.onchain.watcher import (
    ScanReport,
    mempool_lock,
    scan_blocks,
    scan_mempool,
    scanner_lock,
)
from payments.services import tips_expire

log = logging.getLogger(__name__)

MAX_BACKOFF = timedelta(minutes=5)


def backoff_delay(failures: int) -> timedelta:
    """Wait 10 s, 20 s, 40 s ... up to 5 min between tries while the source is failing."""
    if failures <= 0:
        return timedelta(0)
    # Cap the exponent first: timedelta overflows after ~44 doublings, which would
    # stop the watcher for good after a long outage.
    return min(timedelta(seconds=10 * 2 ** min(failures - 1, 10)), MAX_BACKOFF)


@shared_task(ignore_result=True)
def watch_chain() -> dict | None:
    """Scan new blocks, then expire unpaid tips. One scanner at a time.

    The mempool is watched apart (watch_mempool, its own queue and lock), so a slow
    source's mempool never delays scanning blocks and crediting.
    """
    now = timezone.now()
    state = ChainState.load()
    if state.last_error_at and now < state.last_error_at + backoff_delay(
        state.consecutive_failures
    ):
        return None
    with scanner_lock() as acquired:
        if not acquired:
            return None  # another worker is scanning; its run covers this one
        report = ScanReport()
        try:
            source = get_chain_source()
            scan_blocks(source, now=now, report=report)
        except ChainSourceError as exc:
            log.warning(
                "chain source failed: %s (failure %d in a row)", exc, state.consecutive_failures + 1
            )
            ChainState.objects.filter(pk=1).update(
                last_error=str(exc)[:1000],
                last_error_at=now,
                consecutive_failures=state.consecutive_failures + 1,
            )
            return None
        tips_expire(now=now)
        # Tips a reorg rolled back are announced only now, where the rescan left them:
        # a reorg that re-mines their payment announces nothing, one that took it away
        # records a reversal (payments.events).
        tips_announce(now=now)
        ChainState.objects.filter(pk=1).update(
            last_scan_at=now, last_error="", last_error_at=None, consecutive_failures=0
        )
    return {
        "blocks": report.blocks_scanned,
        "reorgs": report.reorgs,
        "payments": report.payments_seen,
        "replaced": report.replaced,
    }


@shared_task(ignore_result=True)
def watch_mempool() -> dict | None:
    """Ask the chain source about the mempool for the addresses due. One poller at a time,
    never waiting on the block scanner (nor it on this).

    A failing source is logged and tried again next run; the block scanner's backoff and
    error (ChainState) are its own.
    """
    now = timezone.now()
    with mempool_lock() as acquired:
        if not acquired:
            return None  # another worker is polling; its run covers this one
        report = ScanReport()
        try:
            scan_mempool(get_chain_source(), now=now, report=report)
        except ChainSourceError as exc:
            log.warning("chain source failed while polling the mempool: %s", exc)
            return None
    return {"payments": report.payments_seen, "replaced": report.replaced}


@shared_task(ignore_result=True)
def lightning_invoices_poll() -> int:
    """Beat: ask the creators' wallets about the open invoices whose look-up is due (each
    backs off on its own), the fallback for wallets that send no notification."""
    return invoices_lookup_due()


@shared_task(ignore_result=True)
def zap_receipt_publish(receipt_id: int) -> None:
    """Queued after the commit that signed a zap receipt; later attempts come from beat."""
    zap_receipt_send(receipt_id=receipt_id)


@shared_task(ignore_result=True)
def zap_receipts_publish_due() -> int:
    """Beat: zap receipts whose relays are due another attempt."""
    return zap_receipts_send_due()


# --- Notifications: each loads by id and calls its service -------------------------


@shared_task(ignore_result=True)
def tip_events_dispatch() -> None:
    """Queued after each commit that records a tip event, and run by beat (the sweep):
    every listener handles every event once (payments.events)."""
    tip_events_dispatch_pending()


@shared_task(name="payments.tasks.tip_events_prune", ignore_result=True)
def tip_events_prune_task() -> None:
    """Beat: delete old tip events every listener has handled (payments.events)."""
    tip_events_prune(now=timezone.now())


@shared_task(bind=True, ignore_result=True, max_retries=5)
def tip_confirmed_email(self, tip_id: int) -> None:
    tip = Tip.objects.select_related("creator__user").filter(pk=tip_id).first()
    if tip is None:
        return
    try:
        tip_confirmed_notify(tip=tip)
    except (SMTPException, OSError) as exc:
        raise self.retry(exc=exc, countdown=60 * 2**self.request.retries) from None


@shared_task(bind=True, ignore_result=True, max_retries=5)
def tip_reversed_email(self, tip_id: int) -> None:
    tip = Tip.objects.select_related("creator__user").filter(pk=tip_id).first()
    if tip is None:
        return
    try:
        tip_reversed_notify(tip=tip)
    except (SMTPException, OSError) as exc:
        raise self.retry(exc=exc, countdown=60 * 2**self.request.retries) from None
