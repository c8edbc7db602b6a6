"""Both rails look alike to the creator: the API, the CSV export and the dashboard say
which rail paid a tip, with the invoice's payment hash and BOLT11 for Lightning."""

from __future__ import annotations

import csv
import io

import pytest
from rest_framework.test import APIClient

from creators.services import api_key_create
from dashboard.csv_export import csv_lines
from payments import reports
from payments.lightning.services import lightning_tip_create
from payments.lightning.simulated import simulated_invoice_pay
from payments.models import LightningInvoice
from payments.services import tip_create
from tests.lightning.conftest import METADATA

pytestmark = pytest.mark.django_db


@pytest.fixture
def paid(creator, wallet):
    tip = lightning_tip_create(
        creator=creator, amount_msat=2_100_000, description=METADATA, name="Bob"
    )
    simulated_invoice_pay(tip=tip)
    return tip


def test_the_api_gives_a_lightning_tips_rail_hash_and_invoice(creator, paid):
    _key, token = api_key_create(creator=creator, name="overlay")
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    onchain = tip_create(creator=creator, amount_sats=5000)
    invoice = LightningInvoice.objects.get(tip=paid)

    lightning = api.get(f"/api/v1/creator/tips/{paid.public_id}/").json()
    chain = api.get(f"/api/v1/creator/tips/{onchain.public_id}/").json()

    assert lightning["rail"] == "lightning"
    assert lightning["status"] == "confirmed"
    assert lightning["confirmed_sats"] == 2100
    assert lightning["payment_hash"] == invoice.payment_hash
    assert lightning["bolt11"] == invoice.bolt11
    assert lightning["address"] is None
    assert (chain["rail"], chain["payment_hash"], chain["bolt11"]) == ("onchain", None, None)
    assert chain["address"] == onchain.address.address


def test_the_csv_export_has_the_rail_hash_and_invoice(creator, paid):
    onchain = tip_create(creator=creator, amount_sats=5000)
    invoice = LightningInvoice.objects.get(tip=paid)

    lines = "".join(csv_lines(reports.tips_of(creator=creator), scanned_height=None))
    header, *rows = list(csv.reader(io.StringIO(lines)))
    records = {row[1]: dict(zip(header, row, strict=True)) for row in rows}

    assert records[paid.public_id]["Rail"] == "lightning"
    assert records[paid.public_id]["Payment hash"] == invoice.payment_hash
    assert records[paid.public_id]["Lightning invoice"] == invoice.bolt11
    assert records[paid.public_id]["Address"] == ""
    assert records[onchain.public_id]["Rail"] == "onchain"
    assert records[onchain.public_id]["Address"] == onchain.address.address


def test_the_dashboard_shows_which_rail_paid_each_tip(client, creator, paid):
    tip_create(creator=creator, amount_sats=5000)
    client.force_login(creator.user)

    listing = client.get("/dashboard/tips/").content.decode()
    detail = client.get(f"/dashboard/tips/{paid.public_id}/").content.decode()

    assert "Lightning" in listing and "On-chain" in listing
    assert LightningInvoice.objects.get(tip=paid).payment_hash in detail


def test_the_viewer_payment_screen_shows_the_invoice_and_turns_paid(client, creator, wallet):
    tip = lightning_tip_create(creator=creator, amount_msat=21_000, description=METADATA)
    invoice = LightningInvoice.objects.get(tip=tip)

    page = client.get(f"/t/{tip.public_id}/").content.decode()
    before = client.get(f"/t/{tip.public_id}/status.json").json()
    simulated_invoice_pay(tip=tip)
    after = client.get(f"/t/{tip.public_id}/status.json").json()

    assert invoice.bolt11 in page
    assert f'href="lightning:{invoice.bolt11}"' in page
    assert (before["rail"], before["status"], before["bolt11"]) == (
        "lightning",
        "awaiting_payment",
        invoice.bolt11,
    )
    assert after["status"] == "confirmed"
    assert after["confirmed_sats"] == 21
