"""The dashboard's writes: CSV exports of a creator's tips, started, run and swept.

An export is a TipExport row and a Celery task (dashboard.tasks). The task writes the CSV
to a local temporary file, checks that the file holds every row it wrote, and only then
stores it under a random name and marks the export done: a failure at any point leaves
the export `failed` with a message for the creator, and no file.
"""

from __future__ import annotations

import csv
import io
import logging
import tempfile
from collections.abc import Callable
from datetime import datetime, timedelta

from django.conf import settings
from django.core.files import File
from django.db import transaction
from django.utils import timezone
from django.utils.crypto import get_random_string
from django.utils.translation import gettext as _

from chain.models import ChainState
from creators.models import Creator
from dashboard.csv_export import PAGE_SIZE, csv_write, keyset_pages
from dashboard.models import ExportStatus, TipExport
from payments import reports
from payments.reports import TipFilters

logger = logging.getLogger(__name__)

# The progress shown is saved every this many rows (a one-row UPDATE each time).
PROGRESS_EVERY = PAGE_SIZE
# An export whose worker has said nothing for this long has stopped (worker killed and its
# message lost): the sweep marks it failed so the creator can start another.
STALLED_AFTER = timedelta(hours=1)


class ExportIncomplete(Exception):
    """The file does not hold every row the export wrote."""


def tip_export_start(*, creator: Creator, filters: TipFilters) -> TipExport:
    """A new export of the creator's tips matching `filters`, queued for a worker."""
    from dashboard.tasks import tip_export_run  # tasks import this module

    export = TipExport.objects.create(
        creator=creator,
        filter_status=filters.status,
        filter_widget=filters.widget,
        filter_since=filters.since,
        filter_until=filters.until,
        filter_search=filters.search,
    )
    transaction.on_commit(lambda: tip_export_run.delay(export.pk))
    return export


def _update(export_id: int, **fields: object) -> None:
    TipExport.objects.filter(pk=export_id).update(updated_at=timezone.now(), **fields)


def _records_in(raw: io.BufferedRandom) -> int:
    raw.seek(0)
    text = io.TextIOWrapper(raw, encoding="utf-8", newline="")
    try:
        return sum(1 for _ in csv.reader(text)) - 1  # less the header
    finally:
        text.detach()


def tip_export_run(*, export_id: int, now: Callable[[], datetime] = timezone.now) -> None:
    """Write the export's CSV, saving progress as it goes; done with the whole file, or
    failed. Run again after a lost worker, it starts over."""
    export = (
        TipExport.objects.select_related("creator")
        .filter(pk=export_id, status__in=[ExportStatus.QUEUED, ExportStatus.RUNNING])
        .first()
    )
    if export is None:
        return
    # Tips made after the export started are not in it (keeps the count and the walk fixed).
    started = now()
    tips = reports.tips_of(creator=export.creator, filters=export.filters).filter(
        created_at__lte=started
    )
    total = tips.count()
    _update(export.pk, status=ExportStatus.RUNNING, total=total, rows_written=0, error="")
    storage = export.file.storage
    stored = ""
    try:
        with tempfile.TemporaryFile() as raw:
            out = io.TextIOWrapper(raw, encoding="utf-8", newline="")
            written = csv_write(
                keyset_pages(tips),
                out,
                scanned_height=ChainState.load().height,
                progress=lambda rows: _update(export.pk, rows_written=rows),
                progress_every=PROGRESS_EVERY,
            )
            out.flush()
            out.detach()
            if _records_in(raw) != written:
                raise ExportIncomplete(f"{written} rows written, not all of them in the file")
            raw.seek(0)
            name = f"tips/{get_random_string(32)}.csv"
            stored = storage.save(name, File(raw, name=name))
        finished = now()
        _update(
            export.pk,
            status=ExportStatus.DONE,
            file=stored,
            rows_written=written,
            total=written,
            finished_at=finished,
            expires_at=finished + timedelta(hours=settings.BITCACHE_EXPORT_TTL_HOURS),
        )
    except Exception:
        logger.exception("tip export %s failed", export.public_id)
        if stored:
            storage.delete(stored)
        _update(
            export.pk,
            status=ExportStatus.FAILED,
            finished_at=now(),
            error=_(
                "The export could not be written. Start it again; if it fails again, "
                "tell the site's operator."
            ),
        )


def tip_exports_sweep(*, now: datetime) -> int:
    """Delete the files of expired exports; fail exports whose worker stopped; delete the
    rows of exports finished more than BITCACHE_EXPORT_KEEP_DAYS ago. Returns how many
    files were deleted."""
    deleted = 0
    expired = TipExport.objects.filter(expires_at__lte=now).exclude(file="")
    for export in expired.iterator():
        export.file.delete(save=False)
        _update(export.pk, file="")
        deleted += 1
    TipExport.objects.filter(
        status__in=[ExportStatus.QUEUED, ExportStatus.RUNNING], updated_at__lt=now - STALLED_AFTER
    ).update(
        status=ExportStatus.FAILED,
        finished_at=now,
        updated_at=now,
        error=_("The export stopped before it was finished. Start it again."),
    )
    # Finished long ago: the rows go too (the page lists the few latest anyway).
    old = TipExport.objects.filter(
        status__in=[ExportStatus.DONE, ExportStatus.FAILED],
        finished_at__lt=now - timedelta(days=settings.BITCACHE_EXPORT_KEEP_DAYS),
    )
    for export in old.exclude(file="").iterator():
        export.file.delete(save=False)
        deleted += 1
    old.delete()
    return deleted
