"""The tip list as CSV, streamed row by row so a long history never sits in memory."""

from __future__ import annotations

import csv
from collections.abc import Iterable, Iterator

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from payments.models import Tip
from payments.reports import confirmations, tip_txids

CHUNK_SIZE = 1000
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
    ]


def _row(tip: Tip, scanned_height: int | None) -> list[object]:
    flags = [flag for flag in ("paid_late", "below_minimum", "overpaid") if getattr(tip, flag)]
    return [
        tip.created_at.isoformat(),
        tip.public_id,
        tip.status,
        tip.amount_sats,
        tip.received_sats,
        tip.confirmed_sats,
        confirmations(tip, scanned_height),
        " ".join(flags),
        # Only what people typed can be a formula; ids like "-Fl3..." must stay exact.
        neutralise(tip.name),
        neutralise(tip.message),
        _("yes") if tip.message_hidden else "",
        neutralise(tip.widget.label) if tip.widget else "",
        neutralise(tip.video_id),
        tip.address.address,
        tip.address.derivation_path,
        " ".join(tip_txids(tip)),
    ]


def csv_lines(tips: QuerySet[Tip], *, scanned_height: int | None) -> Iterator[str]:
    writer = csv.writer(_Echo())
    yield writer.writerow(_header())
    rows: Iterable[Tip] = tips.iterator(chunk_size=CHUNK_SIZE)
    for tip in rows:
        yield writer.writerow(_row(tip, scanned_height))
