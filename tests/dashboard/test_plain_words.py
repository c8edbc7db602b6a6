"""The dashboard speaks to creators, not to bitcoin engineers: dates say their time
zone and are written one way, and jargon comes with an explanation (English and French)."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest
from django.utils import translation

from bitcache.templatetags.datetimes import datetime_tz

pytestmark = pytest.mark.django_db

MOMENT = datetime(2026, 3, 14, 15, 9, tzinfo=UTC)


def test_a_moment_reads_the_same_way_everywhere_with_its_time_zone():
    assert datetime_tz(MOMENT) == "March 14, 2026, 3:09 p.m. UTC"
    with translation.override("fr"):
        assert datetime_tz(MOMENT) == "14 mars 2026 15:09 UTC"


def test_the_tip_list_and_the_tip_page_show_the_same_date_with_its_time_zone(
    creator_client, make_tip
):
    tip = make_tip()
    shown = datetime_tz(tip.created_at)

    listed = creator_client.get("/dashboard/tips/").content.decode()
    detail = creator_client.get(f"/dashboard/tips/{tip.public_id}/").content.decode()

    assert shown.endswith(" UTC")
    assert shown in listed
    assert shown in detail


def test_no_dashboard_page_writes_a_date_another_way(creator_client, make_tip, pay):
    pay(make_tip())
    tip = make_tip()
    short_format = re.compile(r"\b\d{2}/\d{2}/\d{4}\b")  # SHORT_DATETIME_FORMAT's look

    for path in ("/dashboard/", "/dashboard/tips/", f"/dashboard/tips/{tip.public_id}/"):
        assert not short_format.search(creator_client.get(path).content.decode()), path


def test_gap_health_is_explained(creator_client, make_tip, pay):
    pay(make_tip())

    page = creator_client.get("/dashboard/").content.decode()

    assert "Gap health" in page
    assert "Your wallet app looks for payments only a set number of unused addresses ahead" in page


def test_gap_health_is_explained_in_french(creator_client, make_tip, pay):
    pay(make_tip())

    page = creator_client.get("/dashboard/", HTTP_ACCEPT_LANGUAGE="fr").content.decode()

    assert "Votre application de portefeuille" in page


def test_the_address_type_is_explained(creator_client):
    page = creator_client.get("/dashboard/key/").content.decode()

    assert "P2WPKH" in page
    assert "Native SegWit: the usual address type of today's wallets" in page


def test_the_address_type_is_explained_in_french(creator_client):
    page = creator_client.get("/dashboard/key/", HTTP_ACCEPT_LANGUAGE="fr").content.decode()

    assert "SegWit natif" in page
