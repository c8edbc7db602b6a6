"""/dashboard/tips/: the creator's tips, filtered, searched and paginated."""

from __future__ import annotations

import html
import re
from datetime import timedelta

import pytest
from django.utils import timezone

from payments.models import Tip
from tests.factories import CreatorFactory

pytestmark = pytest.mark.django_db

URL = "/dashboard/tips/"


def listed(response) -> list[str]:
    return [row.tip.public_id for row in response.context["rows"]]


def test_it_lists_only_the_creators_tips(creator_client, make_tip):
    mine = make_tip()
    make_tip(for_creator=CreatorFactory())

    response = creator_client.get(URL)

    assert response.status_code == 200
    assert listed(response) == [mine.public_id]


def test_each_tip_shows_its_address_path_txids_and_confirmations(creator_client, make_tip, pay):
    tip = make_tip()
    txid = pay(tip)

    page = creator_client.get(URL).content.decode()

    assert tip.address.address in page
    assert f"path {tip.address.derivation_path}" in page
    assert f'title="{txid}"' in page
    assert "1 confirmation" in page


def test_it_filters_by_status(creator_client, make_tip, pay):
    paid = make_tip()
    make_tip()
    pay(paid)

    assert listed(creator_client.get(URL, {"status": "confirmed"})) == [paid.public_id]


def test_it_filters_by_widget(creator_client, make_tip, widget):
    from_widget = make_tip(widget=widget)
    make_tip()

    assert listed(creator_client.get(URL, {"widget": widget.public_id})) == [from_widget.public_id]


def test_it_filters_by_date_range(creator_client, make_tip):
    recent = make_tip()
    old = make_tip()
    Tip.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(days=10))
    today = timezone.localdate()

    since_yesterday = creator_client.get(URL, {"since": str(today - timedelta(days=1))})
    until_last_week = creator_client.get(URL, {"until": str(today - timedelta(days=7))})

    assert listed(since_yesterday) == [recent.public_id]
    assert listed(until_last_week) == [old.public_id]


def test_it_searches_names_and_messages(creator_client, make_tip):
    by_name = make_tip(name="Satoshi")
    by_message = make_tip(message="for the satoshi episode")
    make_tip(name="Hal")

    assert set(listed(creator_client.get(URL, {"q": "SATOSHI"}))) == {
        by_name.public_id,
        by_message.public_id,
    }


def test_it_ignores_a_bad_filter(creator_client, make_tip):
    tip = make_tip()

    response = creator_client.get(URL, {"since": "yesterday-ish", "status": "bogus"})

    assert response.status_code == 200
    assert listed(response) == [tip.public_id]


def older_link(response) -> str | None:
    match = re.search(r'href="\?([^"]*)">Older<', response.content.decode())
    return html.unescape(match.group(1)) if match else None


def newer_link(response) -> str | None:
    match = re.search(r'href="\?([^"]*)">Newer<', response.content.decode())
    return html.unescape(match.group(1)) if match else None


def test_it_paginates(creator_client, bulk_tips):
    first_tip = bulk_tips(51)[0]

    first = creator_client.get(URL)
    second = creator_client.get(f"{URL}?{older_link(first)}")

    assert len(listed(first)) == 50
    assert listed(second) == [first_tip.public_id]
    assert newer_link(first) is None
    assert older_link(second) is None


def test_following_older_then_newer_walks_every_tip_once_even_those_made_at_the_same_moment(
    creator_client, bulk_tips
):
    bulk_tips(120)
    moment = timezone.now() - timedelta(hours=1)
    Tip.objects.filter(pk__in=list(Tip.objects.values_list("pk", flat=True)[:80])).update(
        created_at=moment
    )
    newest_first = list(
        Tip.objects.order_by("-created_at", "-pk").values_list("public_id", flat=True)
    )

    pages = [creator_client.get(URL)]
    while older_link(pages[-1]):
        pages.append(creator_client.get(f"{URL}?{older_link(pages[-1])}"))
    back = [pages[-1]]
    while newer_link(back[-1]):
        back.append(creator_client.get(f"{URL}?{newer_link(back[-1])}"))

    assert [tip for page in pages for tip in listed(page)] == newest_first
    assert [listed(page) for page in back] == [listed(page) for page in reversed(pages)]


def test_its_page_links_keep_the_filters(creator_client, bulk_tips):
    bulk_tips(60)

    first = creator_client.get(URL, {"q": "viewer"})
    second = creator_client.get(f"{URL}?{older_link(first)}")

    assert "q=viewer" in older_link(first)
    assert all(row.tip.name.startswith("viewer") for row in second.context["rows"])
    assert (
        len(listed(first)) + len(listed(second))
        == Tip.objects.filter(name__startswith="viewer").count()
    )


def test_its_export_button_keeps_the_filters(creator_client):
    page = creator_client.get(URL, {"status": "confirmed", "older": "abc"}).content.decode()

    assert '<form method="post" action="/dashboard/tips/exports/">' in page
    assert '<input type="hidden" name="status" value="confirmed">' in page
    assert (
        'name="older"' not in page.split('action="/dashboard/tips/exports/"')[1].split("</form>")[0]
    )
