"""docs/api.md's curl commands work as written; /api/schema/ and /api/docs/ are served
from this site alone (no CDN), under the site's CSP."""

from __future__ import annotations

import json
import re

import pytest
from django.contrib.staticfiles import finders
from django.test import Client

from dashboard.services import tip_export_run, tip_export_start
from payments.reports import TipFilters
from payments.services import tip_create
from tests.api.docs import documented_curls
from tests.lightning.doubles import connect_simulated
from unlocks.services import item_create

pytestmark = pytest.mark.django_db


def test_every_curl_example_works(creator, widget, api_key, static_rates):
    connect_simulated(creator)  # for the Lightning Address examples
    tip = tip_create(creator=creator, amount_sats=5000)
    export = tip_export_start(creator=creator, filters=TipFilters())
    tip_export_run(export_id=export.pk)
    item = item_create(
        creator=creator, title="Raw footage", price_sats=5000, target_url="https://files.example/a"
    )
    variables = {
        "ITEM_ID": item.public_id,
        "API_KEY": api_key,
        "TIP_ID": tip.public_id,
        "WIDGET_ID": widget.public_id,
        "EXPORT_ID": export.public_id,
    }
    client = Client()

    curls = documented_curls(variables)

    assert len(curls) >= 8
    for curl in curls:
        headers = {k: v for k, v in curl.headers.items() if k != "Content-Type"}
        response = client.generic(
            curl.method,
            curl.path,
            curl.data or "",
            content_type=curl.headers.get("Content-Type", "application/octet-stream"),
            headers=headers,
        )
        if curl.output:  # a file download
            assert response.status_code == 200, (curl, response)
            assert response["Content-Disposition"].startswith("attachment;"), curl
            continue
        assert response.status_code in (200, 201), (curl, response.content)
        assert response["Content-Type"] == "application/json"
        answer = json.loads(response.content)
        assert not (isinstance(answer, dict) and answer.get("status") == "ERROR"), (curl, answer)


def test_the_schema_describes_the_api(client):
    response = client.get("/api/schema/", {"format": "json"})

    assert response.status_code == 200
    schema = response.json()
    assert schema["openapi"].startswith("3.")
    assert "/api/v1/tips/" in schema["paths"]
    assert "/api/v1/creator/widgets/{widget_id}/" in schema["paths"]
    assert "/api/v1/creator/exports/{export_id}/" in schema["paths"]
    item = schema["paths"]["/api/v1/creator/unlocks/{item_id}/"]
    assert "patch" in item
    assert "price_fiat" in schema["components"]["schemas"]["CreatorItem"]["properties"]
    assert schema["components"]["securitySchemes"]["ApiKey"]["scheme"] == "bearer"
    assert "429" in schema["paths"]["/api/v1/tips/"]["post"]["responses"]


def test_the_docs_load_nothing_from_elsewhere(client):
    response = client.get("/api/docs/")

    assert response.status_code == 200
    page = response.content.decode()
    assert "<style" not in page
    assert " style=" not in page
    assert not re.search(r"<script(?![^>]*\bsrc=)", page)  # no inline script
    assert "script-src 'self'" in response["Content-Security-Policy"]
    assets = re.findall(r'(?:src|href)="([^"]+)"', page)
    assert assets
    for asset in assets:
        assert asset.startswith("/"), asset
        path = asset.split("?")[0]
        if path.startswith("/static/"):
            assert finders.find(path.removeprefix("/static/")), path


def test_the_docs_script_is_served_as_a_file(client):
    page = client.get("/api/docs/").content.decode()
    (script,) = [src for src in re.findall(r'<script src="([^"]+)"', page) if "script=" in src]

    response = client.get(script.replace("&amp;", "&"))

    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/javascript")
    assert "/api/schema/" in response.content.decode()
