"""Issue 12's "done when", as one story: the static provider of `make run` prices bitcoin,
a creator sets a 2 EUR minimum in the dashboard, the tip page shows euros and sats,
refuses 1.50 EUR, accepts 3 EUR and stores the rate snapshot, the CSV has the fiat
columns, and with the rate table emptied the page shows sats only with the notice."""

from __future__ import annotations

import csv
import io
import re

import pytest
from django.test import Client

from payments.models import Tip
from rates.models import Rate
from rates.tasks import rates_refresh
from tests.factories import CreatorFactory

pytestmark = pytest.mark.django_db


def test_a_creator_prices_tips_in_euros_and_viewers_pay_in_sats(
    django_capture_on_commit_callbacks,
):
    rates_refresh()  # beat's first run, with BITCACHE_RATES=static
    creator = CreatorFactory(handle="alice", min_tip_sats=1000)
    dashboard = Client()
    dashboard.force_login(creator.user)
    viewer = Client()

    saved = dashboard.post(
        "/dashboard/settings/",
        {
            "display_currency": "EUR",
            "min_tip_sats": "1000",
            "min_tip_fiat": "2",
            "onchain_min_sats": "10000",
            "confirmations_required": "1",
        },
    )
    assert saved.status_code == 302

    page = viewer.get("/@alice").content.decode()
    assert "Minimum €2.00 (2,222 sats)" in page
    assert "Amount in EUR" in page

    refused = viewer.post("/@alice", {"amount_fiat": "1.50"})
    assert refused.status_code == 400
    assert "The minimum tip is €2.00 (2,222 sats)." in refused.content.decode()
    assert not Tip.objects.exists()

    accepted = viewer.post("/@alice", {"amount_fiat": "3.00"})
    assert accepted.status_code == 302
    tip = Tip.objects.get()
    assert tip.amount_sats == 3333
    assert (tip.rate_currency, tip.rate, tip.rate_sources) == ("EUR", 90000, ["static"])
    payment_screen = viewer.get(accepted["Location"]).content.decode()
    assert '3,333 sats <span class="fiat">(€3.00)</span>' in payment_screen

    with django_capture_on_commit_callbacks(execute=True):
        started = dashboard.post("/dashboard/tips/exports/")
    export_page = dashboard.get(started["Location"]).content.decode()
    link = re.search(r'href="([^"]+/download)"', export_page)
    assert link is not None
    export = dashboard.get(link.group(1))
    header, row = csv.reader(io.StringIO(b"".join(export.streaming_content).decode()))
    record = dict(zip(header, row, strict=True))
    assert (record["Value at tip time"], record["Currency"], record["Rate sources"]) == (
        "3.00",
        "EUR",
        "static",
    )

    Rate.objects.all().delete()
    page = viewer.get("/@alice").content.decode()
    assert "EUR price unavailable right now: amounts are in sats only." in page
    assert "Minimum 1,000 sats" in page
    assert "€" not in page
