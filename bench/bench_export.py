"""CSV export of a creator's tips: the background job (keyset pages to a checked temporary
file, then storage) vs the old in-request stream (csv_lines over one iterator), same tips.

The number of tips is a parameter: `python -m bench.bench_export 100000`, or
BENCH_EXPORT_ROWS (default 5,000; the old stream is the baseline, so it stays small). Then
the job alone exports a creator with BENCH_EXPORT_BIG tips (default 1,000,000, seeded with
bench_big_creator's INSERT ... SELECT; 0 skips it): it must complete with every row, at a
per-row rate that stays near the small export's.
"""

from __future__ import annotations

import os
import sys

from bench.common import median_seconds, setup_django, table

DEFAULT_ROWS = 5_000
DEFAULT_BIG = 1_000_000


def _rows() -> int:
    if len(sys.argv) > 1:
        return int(sys.argv[1])
    return int(os.environ.get("BENCH_EXPORT_ROWS", DEFAULT_ROWS))


def main(rows: int | None = None) -> str:
    rows = rows or _rows()
    setup_django()
    from datetime import timedelta

    from django.conf import settings
    from django.utils import timezone

    from chain.models import ChainState
    from dashboard.csv_export import csv_lines
    from dashboard.models import ExportStatus, TipExport
    from dashboard.services import tip_export_run
    from payments import reports
    from payments.models import Tip
    from payments.services import tip_create
    from tests.factories import CreatorFactory

    settings.BITCACHE_MAX_OPEN_TIPS_PER_CREATOR = 10**9
    creator = CreatorFactory(status="active")
    template = tip_create(creator=creator, amount_sats=5000, name="=template", message="hi")
    start = timezone.now() - timedelta(days=30)
    batch = [
        Tip(
            creator=creator,
            address=template.address,
            amount_sats=5000 + number,
            minimum_sats=1000,
            name=f"viewer {number}",
            message="Great video, thanks!" if number % 3 else "",
            created_at=start + timedelta(seconds=number),
            expires_at=template.expires_at,
            watch_until=template.watch_until,
        )
        for number in range(rows - 1)
    ]
    Tip.objects.bulk_create(batch, batch_size=5_000)

    def streamed() -> None:
        tips = reports.tips_of(creator=creator)
        for _line in csv_lines(tips, scanned_height=ChainState.load().height):
            pass

    def job(of=creator, expected: int = rows) -> None:
        export = TipExport.objects.create(creator=of)  # as tip_export_start, no broker
        tip_export_run(export_id=export.pk)
        export.refresh_from_db()
        assert export.status == ExportStatus.DONE and export.rows_written == expected, export
        export.file.delete(save=False)

    old = median_seconds(streamed, repeat=3)
    new = median_seconds(job, repeat=3)
    TipExport.objects.all().delete()
    table_rows = [
        ["old: CSV streamed in the request (baseline)", f"{rows / old:,.0f}", "1.00"],
        [
            "export job (keyset pages, temp file, row check, storage)",
            f"{rows / new:,.0f}",
            f"{old / new:.2f}",
        ],
    ]
    out = f"### CSV export of {rows:,} tips: job vs in-request stream (PostgreSQL)\n\n" + table(
        ["export", "rows per second", "throughput ratio"], table_rows
    )
    big_rows = int(os.environ.get("BENCH_EXPORT_BIG", DEFAULT_BIG))
    if big_rows:
        from bench.bench_big_creator import seed

        big = CreatorFactory(status="active")
        seed(big, big_rows)
        big_seconds = median_seconds(lambda: job(big, big_rows), repeat=1, warmup=0)
        TipExport.objects.all().delete()
        flatness = (big_rows / big_seconds) / (rows / new)
        out += (
            f"\n\nThe job over a {big_rows:,}-tip creator (seeded with INSERT ... SELECT): "
            f"completed with all {big_rows:,} rows (checked) in {big_seconds:.0f} s, "
            f"{big_rows / big_seconds:,.0f} rows/s: **{flatness:.2f}** "
            f"of the {rows:,}-tip job's rate (not like for like: each seeded tip has an "
            "address and a confirmed payment to join, the small export's tips share one "
            "address and have none)."
        )
    return out


if __name__ == "__main__":
    print(main())
