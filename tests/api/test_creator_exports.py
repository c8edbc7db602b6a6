"""Creator API: CSV exports of your tips, started, watched and downloaded by the key's creator."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import pytest
from django.utils import timezone

from dashboard.models import TipExport
from payments.services import tip_create

pytestmark = pytest.mark.django_db

URL = "/api/v1/creator/exports/"


@pytest.fixture
def start(api, django_capture_on_commit_callbacks):
    """POST an export and let the worker run; the 201's body."""

    def run(body=None):
        with django_capture_on_commit_callbacks(execute=True):
            response = api.post(URL, body or {}, format="json")
        assert response.status_code == 201, response.content
        return response.json()

    return run


def test_an_export_is_started_then_read_back_done_with_its_download_url(api, creator, start):
    tip = tip_create(creator=creator, amount_sats=5000, name="Bob")
    tip_create(creator=creator, amount_sats=6000, name="Ann")

    started = start({"search": "Bob"})
    done = api.get(f"{URL}{started['id']}/").json()

    assert started["status"] == "queued"
    assert started["download_url"] is None
    assert done["status"] == "done"
    assert done["progress"] == 100
    assert done["rows_written"] == done["total"] == 1
    assert done["download_url"] == f"http://testserver{URL}{started['id']}/file"
    file = api.get(done["download_url"])
    assert file.status_code == 200
    assert file["Content-Disposition"].startswith('attachment; filename="bitcache-tips-')
    header, row = csv.reader(io.StringIO(b"".join(file.streaming_content).decode()))
    assert dict(zip(header, row, strict=True))["Tip id"] == tip.public_id


def test_it_refuses_filters_the_tip_list_refuses(api):
    response = api.post(URL, {"status": "lost"}, format="json")

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalid"
    assert "status" in response.json()["error"]["fields"]
    assert not TipExport.objects.exists()


def test_the_file_of_an_unfinished_export_is_not_ready(api):
    started = api.post(URL, {}, format="json").json()  # no worker ran: still queued

    response = api.get(f"{URL}{started['id']}/file")

    assert response.status_code == 409
    assert response.json()["error"]["code"] == "not_ready"


def test_an_expired_export_is_gone(api, creator, start):
    tip_create(creator=creator, amount_sats=5000)
    started = start()
    TipExport.objects.update(expires_at=timezone.now() - timedelta(seconds=1))

    read = api.get(f"{URL}{started['id']}/").json()
    response = api.get(f"{URL}{started['id']}/file")

    assert read["download_url"] is None
    assert response.status_code == 410
    assert response.json()["error"]["code"] == "expired"


def test_the_schema_describes_exports(client):
    schema = client.get("/api/schema/", {"format": "json"}).json()

    assert "post" in schema["paths"]["/api/v1/creator/exports/"]
    assert "get" in schema["paths"]["/api/v1/creator/exports/{export_id}/"]
    file = schema["paths"]["/api/v1/creator/exports/{export_id}/file"]["get"]["responses"]
    assert "text/csv" in file["200"]["content"]
    assert {"404", "409", "410"} <= set(file)
