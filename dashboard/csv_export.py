"""The tip list as CSV: its columns, its rows, and the guard against formulas.

`csv_write` writes it to a file in keyset pages (dashboard.services.tip_export_run, in a
worker); `csv_lines` is the same CSV as lines in one pass, as the dashboard once streamed
it in the request (the benchmark's baseline, and the tests' reference)."""

from __future__ import annotations

import csv
from collections.abc import Callable, Iterable, Iterator
from typing import TextIO

from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from payments.models import Tip
from payments.pricing import fiat_then
from payments.reports import confirmations, tip_txids
from payments.selectors import tip_invoice

CHUNK_SIZE = 1000
# Rows read by one keyset query: each query is short, so no transaction or server-side
# cursor stays open for the whole export (minutes on a million tips).
PAGE_SIZE = 10 * CHUNK_SIZE
# A spreadsheet runs a cell starting with one of these as a formula (CSV injection).
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value: object) -> object:
    """Text a spreadsheet would run as a formula gets a leading apostrophe."""
    if isinstance(value, str) and value.startswith(_FORMULA_STARTS):
        return f"'{value}"
    return value


class _Echo:
    """A file whose write() hands back the line, for csv.writer to produce strings."""

    def write(self, line: str) -> str:
        return line


def _header() -> list[str]:
    return [
        _("Date (UTC)"),
        _("Tip id"),
        _("Status"),
        _("Requested (sats)"),
        _("Received (sats)"),
        _("Confirmed (sats)"),
        # What the tip was worth at its rate snapshot (received, or requested before any
        # payment: the dashboard's "Amount"), and the snapshot.
        _("Value at tip time"),
        _("Currency"),
        _("Rate (per BTC)"),
        _("Rate sources"),
        _("Rate time (UTC)"),
        _("Confirmations"),
        _("Flags"),
        _("Name"),
        _("Message"),
        _("Message hidden"),
        _("Widget"),
        _("Video"),
        _("Address"),
        _("Derivation path"),
        _("Transactions"),
        # Appended, so that spreadsheets reading columns by position keep working.
        _("Rail"),
        _("Payment hash"),
        _("Lightning invoice"),
    ]


def _row(tip: Tip, scanned_height: int | None) -> list[object]:
    invoice = tip_invoice(tip)
    flags = [flag for flag in ("paid_late", "below_minimum", "overpaid") if getattr(tip, flag)]
    return [
        tip.created_at.isoformat(),
        tip.public_id,
        tip.status,
        tip.amount_sats,
        tip.received_sats,
        tip.confirmed_sats,
        *_fiat_columns(tip),
        confirmations(tip, scanned_height),
        " ".join(flags),
        # Only what people typed can be a formula; ids like "-Fl3..." must stay exact.
        neutralise(tip.name),
        neutralise(tip.message),
        _("yes") if tip.message_hidden else "",
        neutralise(tip.widget.label) if tip.widget else "",
        neutralise(tip.video_id),
        tip.address.address if tip.address else "",
        tip.address.derivation_path if tip.address else "",
        " ".join(tip_txids(tip)),
        tip.rail,
        invoice.payment_hash if invoice else "",
        invoice.bolt11 if invoice else "",
    ]


def _fiat_columns(tip: Tip) -> list[object]:
    snapshot = tip.rate_snapshot
    if snapshot is None:
        return ["", "", "", "", ""]
    value = fiat_then(tip.value_sats, snapshot)
    return [
        value.amount if value else "",
        snapshot.currency,
        snapshot.rate,
        " ".join(snapshot.sources),
        snapshot.fetched_at.isoformat(),
    ]


def csv_lines(tips: QuerySet[Tip], *, scanned_height: int | None) -> Iterator[str]:
    writer = csv.writer(_Echo())
    yield writer.writerow(_header())
    rows: Iterable[Tip] = tips.iterator(chunk_size=CHUNK_SIZE)
    for tip in rows:
        yield writer.writerow(_row(tip, scanned_height))


def keyset_pages(tips: QuerySet[Tip], *, page_size: int | None = None) -> Iterator[Tip]:
    """Every tip of `tips` (ordered newest first, as reports.tips_of orders them), read in
    pages that each start after the last tip of the one before, on (created_at, id)."""
    page_size = page_size or PAGE_SIZE
    last: Tip | None = None
    while True:
        page = tips
        if last is not None:
            page = page.filter(
                Q(created_at__lt=last.created_at) | Q(created_at=last.created_at, pk__lt=last.pk)
            )
        read = 0
        for tip in page[:page_size].iterator(chunk_size=CHUNK_SIZE):
            read += 1
            last = tip
            yield tip
        if read < page_size:
            return


def csv_write(
    tips: Iterable[Tip],
    out: TextIO,
    *,
    scanned_height: int | None,
    progress: Callable[[int], None] | None = None,
    progress_every: int = PAGE_SIZE,
) -> int:
    """Write the header and a row per tip to `out`; returns the rows written. `progress`
    is called with the count so far every `progress_every` rows."""
    writer = csv.writer(out)
    writer.writerow(_header())
    written = 0
    for tip in tips:
        writer.writerow(_row(tip, scanned_height))
        written += 1
        if progress is not None and written % progress_every == 0:
            progress(written)
    return written
