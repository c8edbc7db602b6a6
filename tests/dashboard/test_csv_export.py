"""CSV exports of the tip list: run by a worker, whole or failed, downloaded by their owner.

The "Export CSV" button posts the list's filters; the export page shows progress, then a
download link. The file's columns and rows are the ones the dashboard used to stream in
the request (dashboard.csv_export.csv_lines), formulas neutralised.
"""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import pytest
from django.core.files.storage import storages
from django.test import Client
from django.utils import timezone

from chain.models import ChainState
from dashboard import csv_export, services
from dashboard.csv_export import csv_lines, neutralise
from dashboard.models import ExportStatus, TipExport
from payments import reports
from payments.models import Tip
from tests.factories import CreatorFactory

pytestmark = pytest.mark.django_db

START_URL = "/dashboard/tips/exports/"


@pytest.fixture
def export(creator_client, django_capture_on_commit_callbacks):
    """Press "Export CSV" with these filters and let the worker run; the export page's
    response (followed from the button)."""

    def run(**filters):
        with django_capture_on_commit_callbacks(execute=True):
            response = creator_client.post(START_URL, filters)
        assert response.status_code == 302
        return creator_client.get(response["Location"])

    return run


def latest_export() -> TipExport:
    return TipExport.objects.latest("pk")


def download(client) -> object:
    return client.get(f"{START_URL}{latest_export().public_id}/download")


def rows_of(response) -> list[list[str]]:
    return list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))


def stored_files() -> list[str]:
    storage = storages["exports"]
    return storage.listdir("tips")[1] if storage.exists("tips") else []


@pytest.fixture(autouse=True)
def no_files_before():
    """The in-memory storage lives as long as the test process: start each test empty."""
    for name in stored_files():
        storages["exports"].delete(f"tips/{name}")


def test_it_exports_the_filtered_tips(creator_client, make_tip, pay, export):
    paid = make_tip(5000, name="Bob", message="thanks")
    make_tip(6000)
    make_tip(7000, for_creator=CreatorFactory())
    txid = pay(paid)

    page = export(status="confirmed")
    response = download(creator_client)

    assert "1 tip, every one that matched." in page.content.decode()
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="bitcache-tips-')
    header, row = rows_of(response)
    assert header[:3] == ["Date (UTC)", "Tip id", "Status"]
    record = dict(zip(header, row, strict=True))
    assert record["Tip id"] == paid.public_id
    assert record["Confirmed (sats)"] == "5000"
    assert record["Confirmations"] == "1"
    assert record["Name"] == "Bob"
    assert record["Address"] == paid.address.address
    assert record["Derivation path"] == paid.address.derivation_path
    assert record["Transactions"] == txid


def test_the_file_is_what_the_old_in_request_export_streamed(
    creator, creator_client, bulk_tips, make_tip, export, monkeypatch
):
    monkeypatch.setattr(csv_export, "PAGE_SIZE", 7)  # several keyset pages
    make_tip(name="=1+1", message="line one\nline two, with a comma")
    bulk_tips(30)
    # Tips made in the same instant: the keyset's tie on created_at is broken by id.
    Tip.objects.filter(pk__in=list(Tip.objects.values_list("pk", flat=True)[:12])).update(
        created_at=timezone.now() - timedelta(hours=1)
    )
    streamed = "".join(
        csv_lines(reports.tips_of(creator=creator), scanned_height=ChainState.load().height)
    )

    export()

    assert b"".join(download(creator_client).streaming_content).decode() == streamed
    assert latest_export().rows_written == 31


@pytest.mark.parametrize("text", ['=HYPERLINK("http://evil.example")', "+1+1", "-2+3", "@SUM(A1)"])
def test_it_neutralises_formulas(creator_client, make_tip, export, text):
    make_tip(name=text, message=text)

    export()

    header, row = rows_of(download(creator_client))
    record = dict(zip(header, row, strict=True))
    assert record["Name"] == f"'{text}"
    assert record["Message"] == f"'{text}"


def test_it_keeps_a_tip_id_that_starts_like_a_formula_exact(creator_client, make_tip, export):
    # One public id in 64 starts with "-": it is ours, not typed, and must stay exact.
    tip = make_tip()
    Tip.objects.filter(pk=tip.pk).update(public_id="-Fl-Rq6H-RPXmbDi36lZdQ")

    export()

    header, row = rows_of(download(creator_client))
    assert dict(zip(header, row, strict=True))["Tip id"] == "-Fl-Rq6H-RPXmbDi36lZdQ"


@pytest.mark.parametrize(
    ("cell", "written"), [("\tcmd", "'\tcmd"), ("\r=1", "'\r=1"), ("fine", "fine"), (-5, -5)]
)
def test_it_neutralises_every_formula_start(cell, written):
    assert neutralise(cell) == written


def test_the_export_button_posts_the_lists_filters_with_a_csrf_token(creator, make_tip):
    client = Client(enforce_csrf_checks=True)
    client.force_login(creator.user)

    page = client.get("/dashboard/tips/", {"status": "confirmed", "q": "Bob"}).content.decode()

    assert f'action="{START_URL}"' in page
    assert 'name="csrfmiddlewaretoken"' in page
    assert 'name="status" value="confirmed"' in page
    assert 'name="q" value="Bob"' in page
    assert client.post(START_URL, {"status": "confirmed"}).status_code == 403
    assert client.get(START_URL).status_code == 405


def test_the_export_page_shows_progress_while_it_runs(
    creator_client, bulk_tips, export, monkeypatch
):
    bulk_tips(12)
    monkeypatch.setattr(services, "PROGRESS_EVERY", 5)
    seen = []
    write_row = csv_export._row

    def row_watching_the_page(tip, height):
        if len(seen) == 0 and TipExport.objects.get().rows_written == 5:
            page = creator_client.get(f"{START_URL}{latest_export().public_id}/")
            seen.append(page.content.decode())
        return write_row(tip, height)

    monkeypatch.setattr(csv_export, "_row", row_watching_the_page)

    done = export().content.decode()

    (running,) = seen
    assert "5 of 12 tips written." in running
    assert 'http-equiv="refresh"' in running
    assert "Download CSV" not in running
    assert "12 tips, every one that matched." in done
    assert "Download CSV" in done
    assert 'http-equiv="refresh"' not in done


def test_a_failed_export_says_so_and_leaves_no_file(creator_client, bulk_tips, export, monkeypatch):
    bulk_tips(5)
    write_row = csv_export._row
    written = []

    def failing_on_the_third_row(tip, height):
        if len(written) == 2:
            raise OSError("disk full")
        written.append(tip)
        return write_row(tip, height)

    monkeypatch.setattr(csv_export, "_row", failing_on_the_third_row)

    page = export().content.decode()

    assert latest_export().status == ExportStatus.FAILED
    assert "The export could not be written. Start it again" in page
    assert "Download CSV" not in page
    assert download(creator_client).status_code == 404
    assert stored_files() == []


def test_a_file_missing_rows_is_never_marked_done(creator_client, bulk_tips, export, monkeypatch):
    bulk_tips(5)
    monkeypatch.setattr(services, "_records_in", lambda raw: 4)  # a row lost on the way

    export()

    assert latest_export().status == ExportStatus.FAILED
    assert download(creator_client).status_code == 404
    assert stored_files() == []


def test_only_the_owner_can_download(creator_client, make_tip, export):
    make_tip(name="Bob")
    export()
    other = Client()
    other.force_login(CreatorFactory().user)

    assert download(other).status_code == 404
    assert download(creator_client).status_code == 200


def test_an_expired_export_is_gone_and_its_file_deleted(creator_client, make_tip, export):
    make_tip(name="Bob")
    export()
    finished = latest_export()
    assert len(stored_files()) == 1
    later = finished.expires_at + timedelta(seconds=1)
    TipExport.objects.filter(pk=finished.pk).update(expires_at=later - timedelta(hours=25))

    assert download(creator_client).status_code == 410

    assert services.tip_exports_sweep(now=later) == 1
    assert stored_files() == []
    gone = download(creator_client)
    assert gone.status_code == 410
    assert "This export has expired" in gone.content.decode()


def test_an_export_whose_worker_vanished_is_marked_failed(creator):
    stalled = services.tip_export_start(creator=creator, filters=reports.TipFilters())

    services.tip_exports_sweep(now=timezone.now() + services.STALLED_AFTER + timedelta(minutes=1))

    stalled.refresh_from_db()
    assert stalled.status == ExportStatus.FAILED
    assert "stopped before it was finished" in stalled.error


def test_a_failure_after_the_file_was_stored_deletes_it(
    creator_client, make_tip, export, monkeypatch
):
    make_tip(name="Bob")
    update = services._update

    def database_gone_when_marking_done(export_id, **fields):
        if fields.get("status") == ExportStatus.DONE:
            raise OSError("connection lost")
        update(export_id, **fields)

    monkeypatch.setattr(services, "_update", database_gone_when_marking_done)

    export()

    assert latest_export().status == ExportStatus.FAILED
    assert stored_files() == []


def test_an_export_finished_long_ago_leaves_no_row(creator, make_tip, export, settings):
    make_tip(name="Bob")
    export()
    finished = latest_export()
    recent = services.tip_export_start(creator=creator, filters=reports.TipFilters())
    days = settings.BITCACHE_EXPORT_KEEP_DAYS

    services.tip_exports_sweep(now=finished.finished_at + timedelta(days=days, seconds=1))

    assert list(TipExport.objects.all()) == [recent]  # a running one stays, whatever its age
    assert stored_files() == []
