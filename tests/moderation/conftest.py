"""Fixtures for moderation: the three kinds of people (moderator, superuser, anyone else),
an active creator, and tips with messages."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group
from django.core.cache import cache

from chain.simulated import SimulatedChain
from moderation.models import FlaggedTerm
from moderation.roles import MODERATORS
from payments.services import tip_create
from payments.tasks import watch_chain
from tests.factories import CreatorFactory, UserFactory
from tests.staff import sign_in_with_second_factor


@pytest.fixture(autouse=True)
def fresh_rate_limits():
    """Rate-limit counters live in the cache; each test starts with none."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def moderator(db):
    """Staff in the Moderators group that `migrate` set up: no superuser powers."""
    user = UserFactory(is_staff=True, username="mod")
    user.groups.add(Group.objects.get(name=MODERATORS))
    return user


@pytest.fixture
def superuser(db):
    return UserFactory(is_staff=True, is_superuser=True, username="root")


@pytest.fixture
def moderator_client(client, moderator):
    sign_in_with_second_factor(client, moderator)
    return client


@pytest.fixture
def superuser_client(client, superuser):
    sign_in_with_second_factor(client, superuser)
    return client


@pytest.fixture
def creator(db):
    return CreatorFactory(handle="alice", display_name="Alice Films")


@pytest.fixture
def creator_client(client, creator):
    client.force_login(creator.user)
    return client


@pytest.fixture
def word_list(db):
    FlaggedTerm.objects.create(term="scam")
    FlaggedTerm.objects.create(term="send nudes")


@pytest.fixture
def make_tip(creator):
    def make(message: str = "Great video", **kwargs):
        return tip_create(
            creator=kwargs.pop("for_creator", creator),
            amount_sats=5000,
            name="Bob",
            message=message,
            **kwargs,
        )

    return make


@pytest.fixture
def chain(db) -> SimulatedChain:
    chain = SimulatedChain.from_settings()
    chain.ensure_genesis()
    watch_chain()  # the first run sets the starting height
    return chain
