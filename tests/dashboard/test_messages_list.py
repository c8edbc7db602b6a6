"""/dashboard/messages/ pages by keyset, like the tip list: Older and Newer links, no page
count, so a creator with a million tips reads any page at the cost of the first."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from dashboard.messages import PAGE_SIZE
from payments.models import Tip

pytestmark = pytest.mark.django_db

URL = "/dashboard/messages/"


@pytest.fixture
def messages(creator, make_tip):
    """A page and a few more of tips with a message (one a minute), with tips without
    one in between; their messages, oldest first."""
    template = make_tip(5000)
    start = timezone.now() - timedelta(days=1)
    Tip.objects.bulk_create(
        Tip(
            creator=creator,
            address=template.address,
            amount_sats=5000,
            minimum_sats=1000,
            message=f"message {number}" if number % 3 else "",
            created_at=start + timedelta(minutes=number),
            expires_at=template.expires_at,
            watch_until=template.watch_until,
        )
        for number in range(1, (PAGE_SIZE + 5) * 3 // 2 + 2)
    )
    return [tip.message for tip in Tip.objects.exclude(message="").order_by("created_at", "pk")]


def shown(response) -> list[str]:
    return re.findall(r"message \d+", response.content.decode())


def test_it_shows_the_newest_messages_first_and_links_to_older_ones(creator_client, messages):
    first = creator_client.get(URL)

    assert shown(first) == messages[::-1][:PAGE_SIZE]
    assert "Older" in first.content.decode()
    assert "Newer" not in first.content.decode()
    assert "Page 1 of" not in first.content.decode()


def test_older_and_newer_links_walk_the_messages_without_gaps(creator_client, messages):
    first = creator_client.get(URL)
    older = re.search(r'href="\?older=([^"]+)"', first.content.decode()).group(1)

    second = creator_client.get(URL, {"older": older})
    newer = re.search(r'href="\?newer=([^"]+)"', second.content.decode()).group(1)
    back = creator_client.get(URL, {"newer": newer})

    assert shown(second) == messages[::-1][PAGE_SIZE:]
    assert shown(first) + shown(second) == messages[::-1]
    assert shown(back) == shown(first)


def test_a_deep_page_reads_from_its_place_not_past_every_newer_message(creator_client, messages):
    first = creator_client.get(URL)
    older = re.search(r'href="\?older=([^"]+)"', first.content.decode()).group(1)

    with CaptureQueriesContext(connection) as queries:
        creator_client.get(URL, {"older": older})

    sqls = [query["sql"] for query in queries]
    listed = [sql for sql in sqls if 'FROM "payments_tip"' in sql and "LIMIT" in sql]
    assert listed
    assert all("OFFSET" not in sql for sql in listed)
    assert all("COUNT(" not in sql for sql in sqls)
