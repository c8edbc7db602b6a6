"""Fixtures for creator pages: a signed-in creator without a key yet, and a moderator."""

from __future__ import annotations

import pytest

from tests.factories import CreatorFactory, UserFactory
from tests.staff import sign_in_with_second_factor


@pytest.fixture
def creator(db):
    return CreatorFactory(status="pending", wallet_key=None)


@pytest.fixture
def creator_client(client, creator):
    client.force_login(creator.user)
    return client


@pytest.fixture
def moderator(db):
    return UserFactory(is_staff=True, is_superuser=True)


@pytest.fixture
def moderator_client(client, moderator):
    sign_in_with_second_factor(client, moderator)
    return client
