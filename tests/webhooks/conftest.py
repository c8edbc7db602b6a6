"""Fixtures for webhooks: an active creator, a real local receiver and an endpoint to it."""

from __future__ import annotations

import pytest

from payments.services import tip_create
from tests.factories import CreatorFactory
from tests.receiver import webhook_receiver
from webhooks.services import webhook_endpoint_create

ALL_EVENTS = ["tip.detected", "tip.confirmed", "tip.reverted"]


@pytest.fixture
def creator(db):
    return CreatorFactory(handle="alice", min_tip_sats=1000)


@pytest.fixture
def creator_client(client, creator):
    client.force_login(creator.user)
    return client


@pytest.fixture
def receiver():
    with webhook_receiver() as receiver:
        yield receiver


@pytest.fixture
def endpoint(creator, receiver):
    return webhook_endpoint_create(creator=creator, url=receiver.url, events=ALL_EVENTS)


@pytest.fixture
def tip(creator):
    return tip_create(creator=creator, amount_sats=5000, name="Bob")
