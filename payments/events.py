"""The tip events outbox: what a status move sets off, written with the move itself.

When a tip's status moves, `tip_event_record` writes a TipEvent in the same
transaction: the move and its event commit together or not at all. Listeners
(webhooks; the creator's emails in payments.receivers) register here with
`tip_event_consumer` and are run by `tip_events_dispatch`, a Celery task queued
right after commit (best effort) and run by beat every minute (the sweep). Each
listener handles an event in its own transaction together with a
TipEventConsumed row, so it does its part exactly once, however often dispatch
runs, and a worker killed between commit and dispatch loses nothing.

A confirmed tip announced back to unpaid (TAKEN_BACK_STATUSES) lost its payment to
the network: its TipReversal is written with the event, and the "reversal_email"
listener (payments.receivers) emails the creator about it.

Events compare the new status with the one listeners last heard of
(`Tip.announced_status`), not with the previous row: while a reorg is rescanned
the watcher holds announcements back (`tip_refresh(announce=False)`), and
`tips_announce` at the end of its run tells only where the tip really ended up.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Exists, F, OuterRef

from payments.models import (
    TAKEN_BACK_STATUSES,
    Tip,
    TipEvent,
    TipEventConsumed,
    TipReversal,
    TipStatus,
)
from payments.serializers import CreatorTipSerializer

log = logging.getLogger(__name__)

Consumer = Callable[[TipEvent], None]
_consumers: dict[str, Consumer] = {}

DISPATCH_BATCH = 500


def tip_event_consumer(name: str) -> Callable[[Consumer], Consumer]:
    """Register `consume(event)` as listener `name`. It runs inside a transaction and
    must do all its lasting work there (or be idempotent); raising retries it later."""

    def register(consume: Consumer) -> Consumer:
        _consumers[name] = consume
        return consume

    return register


def tip_event_record(tip: Tip, *, now: datetime) -> TipEvent | None:
    """Write the event of `tip`'s move since listeners last heard of it, if it moved.

    Called inside the transaction that saved the tip's status.
    """
    if tip.status == tip.announced_status:
        return None
    with transaction.atomic():
        # Reloaded, so the snapshot shows what this transaction wrote, with its payments.
        fresh = (
            Tip.objects.select_related("widget", "address", "lightning_invoice")
            .prefetch_related("payments")
            .get(pk=tip.pk)
        )
        event = TipEvent.objects.create(
            tip=fresh,
            from_status=tip.announced_status,
            to_status=fresh.status,
            tip_data=CreatorTipSerializer(fresh).data,
            created_at=now,
        )
        if event.from_status == TipStatus.CONFIRMED and event.to_status in TAKEN_BACK_STATUSES:
            # Written with the move, not by a listener: the reversal email task must find
            # it committed, and the dashboard marks the tip at once.
            TipReversal.objects.create(tip=fresh, reversed_at=now)
        Tip.objects.filter(pk=tip.pk).update(announced_status=fresh.status)
        tip.announced_status = fresh.status
    # robust: a broker that is down must not stop the other after-commit work.
    transaction.on_commit(tip_events_kick, robust=True)
    return event


def tips_announce(*, now: datetime) -> int:
    """Announce every tip whose status moved without its event: those held back while a
    reorg was rescanned, and any left by a worker killed mid-run. How many events."""
    recorded = 0
    for tip in Tip.objects.exclude(status=F("announced_status")):
        with transaction.atomic():
            if tip_event_record(tip, now=now) is not None:
                recorded += 1
    return recorded


def tip_events_kick() -> None:
    """Ask a worker to dispatch now; if the broker is down, the beat sweep will."""
    from payments.tasks import tip_events_dispatch  # tasks call this module, not the reverse

    try:
        tip_events_dispatch.delay()
    except Exception:
        log.warning("could not queue tip event dispatch; the sweep will", exc_info=True)


def tip_events_dispatch_pending(*, limit: int = DISPATCH_BATCH) -> int:
    """Run every listener on the events it has not handled yet, oldest first."""
    handled = 0
    for name, consume in _consumers.items():
        pending = TipEvent.objects.exclude(consumed__consumer=name).select_related("tip")
        for event in pending.order_by("pk")[:limit]:
            try:
                with transaction.atomic():
                    if not _claim(event, name):
                        continue  # another dispatcher did it
                    consume(event)
            except Exception:
                # Rolled back with its claim: the next dispatch tries again.
                log.exception("tip event %s: listener %s failed", event.pk, name)
                continue
            handled += 1
    return handled


PRUNE_BATCH = 5000


def tip_events_prune(*, now: datetime, keep: timedelta | None = None) -> int:
    """Delete the events every registered listener has handled, older than `keep`
    (BITCACHE_TIP_EVENTS_KEEP_DAYS), in batches. How many were deleted.

    An event some listener has yet to handle stays, however old: the dispatcher still
    owes it. What listeners made of events (webhook events, stream events, emails) is
    in their own rows and stays. Without pruning, the dispatcher's "not yet handled"
    query would span every event the site ever recorded.
    """
    keep = keep or timedelta(days=settings.BITCACHE_TIP_EVENTS_KEEP_DAYS)
    done = TipEvent.objects.filter(created_at__lt=now - keep)
    for name in sorted(_consumers):
        handled = TipEventConsumed.objects.filter(event=OuterRef("pk"), consumer=name)
        done = done.filter(Exists(handled))
    deleted = 0
    while True:
        batch = list(done.order_by("pk").values_list("pk", flat=True)[:PRUNE_BATCH])
        if not batch:
            return deleted
        with transaction.atomic():
            TipEventConsumed.objects.filter(event_id__in=batch).delete()
            deleted += (
                TipEvent.objects.filter(pk__in=batch).delete()[1].get(TipEvent._meta.label, 0)
            )


def _claim(event: TipEvent, consumer: str) -> bool:
    """Mark `event` done by `consumer` in the current transaction; False if it already is.

    A second dispatcher inserting the same row waits for the first one's transaction,
    then fails on the unique constraint.
    """
    try:
        with transaction.atomic():
            TipEventConsumed.objects.create(event=event, consumer=consumer)
    except IntegrityError:
        return False
    return True
