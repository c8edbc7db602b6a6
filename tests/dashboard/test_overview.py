"""/dashboard/: totals in sats and BTC, today and this month, the chart, breakdowns,
recent tips and gap health."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from payments.models import Tip
from tests.factories import CreatorFactory

pytestmark = pytest.mark.django_db


def test_it_shows_confirmed_totals_in_sats_and_btc(creator_client, make_tip, pay):
    pay(make_tip(21_000))
    pay(make_tip(5000))
    pay(make_tip(7000), confirm=False)

    page = creator_client.get("/dashboard/").content.decode()

    assert "26,000 sats" in page
    assert "0.00026 BTC · 2 tips" in page
    assert "7,000 sats seen on the chain" in page


def test_it_counts_tips_of_today_and_this_month(creator_client, make_tip, pay):
    pay(make_tip(5000))
    old = make_tip(9000)
    # Made 400 days ago (its day is fixed when it is made), paid now.
    Tip.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(days=400))
    pay(old)

    response = creator_client.get("/dashboard/")

    assert response.context["overview"].today.count == 1
    assert response.context["overview"].this_month.sats == 5000
    assert response.context["overview"].confirmed.count == 2


def test_it_draws_tips_per_day(creator_client, make_tip, pay):
    pay(make_tip(5000))
    pay(make_tip(6000))

    page = creator_client.get("/dashboard/").content.decode()

    assert page.count('<rect class="bar"') == 1  # one day with tips
    assert ": 2 tips, 11,000 sats</title>" in page
    assert "Confirmed tips per day, last 30 days" in page


@pytest.mark.parametrize(("asked", "days"), [("90", 90), ("365", 365), ("7", 30), ("x", 30)])
def test_it_charts_the_chosen_period(creator_client, asked, days):
    response = creator_client.get("/dashboard/", {"days": asked})

    assert len(response.context["chart"].bars) == days


def test_its_chart_has_no_inline_styles_or_scripts(creator_client, make_tip, pay):
    pay(make_tip(5000))

    response = creator_client.get("/dashboard/")

    page = response.content.decode()
    assert not re.search(r"<script(?![^>]*\bsrc=)", page)
    assert " style=" not in page
    assert "<style" not in page
    assert "script-src 'self'" in response["Content-Security-Policy"]


def test_its_chart_geometry_ignores_the_language(creator_client, make_tip, pay):
    pay(make_tip(5000))
    creator_client.cookies["django_language"] = "fr"

    page = creator_client.get(
        "/dashboard/", {"days": "365"}, HTTP_ACCEPT_LANGUAGE="fr"
    ).content.decode()

    bar = re.search(r'<rect class="bar" x="([^"]+)" y="([^"]+)" width="([^"]+)"', page)
    assert all("," not in number for number in bar.groups())


def test_it_breaks_tips_down_by_widget_and_video(creator_client, make_tip, widget, pay):
    pay(make_tip(5000, widget=widget))
    pay(make_tip(3000))

    response = creator_client.get("/dashboard/")

    per_widget = {row.label: row.sats for row in response.context["per_widget"]}
    per_video = {row.label: row.count for row in response.context["per_video"]}
    assert per_widget == {"Under my videos": 5000, "": 3000}
    assert per_video == {"vid-42": 1}
    page = response.content.decode()
    assert "Tip page" in page
    assert "vid-42" in page


def test_it_lists_recent_tips_with_their_status(creator_client, make_tip, pay):
    tip = make_tip(5000, name="Bob")
    pay(tip, confirm=False)

    page = creator_client.get("/dashboard/").content.decode()

    assert f'href="/dashboard/tips/{tip.public_id}/"' in page
    assert "Payment seen, confirming" in page
    assert "Bob" in page


def test_it_shows_gap_health(creator_client, make_tip, pay):
    pay(make_tip(5000))

    response = creator_client.get("/dashboard/")

    assert response.context["gap_health"].healthy
    assert "Your wallet sees every paid address" in response.content.decode()


def test_it_says_when_there_are_no_tips_yet(creator_client):
    page = creator_client.get("/dashboard/").content.decode()

    assert "No tips yet." in page


def test_its_gap_health_is_the_creators_own_not_anothers(creator_client, make_tip, pay):
    other = CreatorFactory(status="active")
    others = [make_tip(for_creator=other) for _ in range(4)]
    pay(others[3])  # another creator's key: highest paid index 3, a run of 3 below it

    response = creator_client.get("/dashboard/")

    health = response.context["gap_health"]
    assert (health.highest_used_index, health.longest_unused_run) == (-1, 0)
    assert "Highest paid address index" not in response.content.decode()
