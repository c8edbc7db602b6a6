"""/dashboard/tips/export.csv: the filtered list, streamed, safe to open in a spreadsheet."""

from __future__ import annotations

import csv
import io

import pytest
from django.db import connection
from django.http import StreamingHttpResponse
from django.test.utils import CaptureQueriesContext

from dashboard.csv_export import CHUNK_SIZE, neutralise
from payments.models import Tip
from tests.factories import CreatorFactory

pytestmark = pytest.mark.django_db

URL = "/dashboard/tips/export.csv"


def rows_of(response) -> list[list[str]]:
    return list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))


def test_it_exports_the_filtered_tips(creator_client, make_tip, pay):
    paid = make_tip(5000, name="Bob", message="thanks")
    make_tip(6000)
    make_tip(7000, for_creator=CreatorFactory())
    txid = pay(paid)

    response = creator_client.get(URL, {"status": "confirmed"})

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


@pytest.mark.parametrize("text", ['=HYPERLINK("http://evil.example")', "+1+1", "-2+3", "@SUM(A1)"])
def test_it_neutralises_formulas(creator_client, make_tip, text):
    make_tip(name=text, message=text)

    header, row = rows_of(creator_client.get(URL))

    record = dict(zip(header, row, strict=True))
    assert record["Name"] == f"'{text}"
    assert record["Message"] == f"'{text}"


def test_it_keeps_a_tip_id_that_starts_like_a_formula_exact(creator_client, make_tip):
    # One public id in 64 starts with "-": it is ours, not typed, and must stay exact.
    tip = make_tip()
    Tip.objects.filter(pk=tip.pk).update(public_id="-Fl-Rq6H-RPXmbDi36lZdQ")

    header, row = rows_of(creator_client.get(URL))

    assert dict(zip(header, row, strict=True))["Tip id"] == "-Fl-Rq6H-RPXmbDi36lZdQ"


@pytest.mark.parametrize(
    ("cell", "written"), [("\tcmd", "'\tcmd"), ("\r=1", "'\r=1"), ("fine", "fine"), (-5, -5)]
)
def test_it_neutralises_every_formula_start(cell, written):
    assert neutralise(cell) == written


def test_it_streams_a_long_history_in_chunks(creator_client, bulk_tips):
    count = CHUNK_SIZE * 3 + 10
    bulk_tips(count)

    response = creator_client.get(URL)

    assert isinstance(response, StreamingHttpResponse)
    lines = iter(response.streaming_content)
    with CaptureQueriesContext(connection) as first_rows:
        for _ in range(3):
            next(lines)
    with CaptureQueriesContext(connection) as the_rest:
        remaining = sum(1 for _ in lines)
    # The first lines needed the tips query (read through a cursor, chunk by chunk) and
    # the first chunk's payments; each later chunk's payments were fetched as it was sent.
    assert len(first_rows.captured_queries) == 2
    assert len(the_rest.captured_queries) == 3
    assert remaining == count - 2
