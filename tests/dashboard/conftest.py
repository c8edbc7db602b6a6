"""Fixtures for the tip dashboard: a signed-in active creator with a confirmed key."""

from __future__ import annotations

import pytest
from django.utils import timezone

from payments.models import Tip
from payments.services import tip_create
from tests.factories import CreatorFactory
from widgets.services import widget_create


@pytest.fixture
def creator(db):
    return CreatorFactory(handle="alice", display_name="Alice Films", min_tip_sats=1000)


@pytest.fixture
def creator_client(client, creator):
    client.force_login(creator.user)
    return client


@pytest.fixture
def make_tip(creator):
    def make(amount_sats=5000, **kwargs):
        return tip_create(
            creator=kwargs.pop("for_creator", creator), amount_sats=amount_sats, **kwargs
        )

    return make


@pytest.fixture
def widget(creator):
    return widget_create(
        creator=creator, label="Under my videos", min_tip_sats=2000, video_id="vid-42"
    )


@pytest.fixture
def bulk_tips(creator, make_tip):
    """`count` more tips at once, all on one tip's address (past the gap limit's reach)."""

    def make(count: int) -> list[Tip]:
        template = make_tip(5000)
        others = Tip.objects.bulk_create(
            Tip(
                creator=creator,
                address=template.address,
                amount_sats=5000,
                minimum_sats=1000,
                name=f"viewer {number}",
                created_at=timezone.now(),
                expires_at=template.expires_at,
                watch_until=template.watch_until,
            )
            for number in range(count - 1)
        )
        return [template, *others]

    return make
