"""Fixtures for tips and chain-watching tests: an active creator with the BIP84
vector key, and `make_tip`. The simulated `chain` and `watch` are in tests/conftest.py."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from payments.services import tip_create
from tests.factories import CreatorFactory


@pytest.fixture
def creator(db):
    return CreatorFactory(status="active", min_tip_sats=1000)


@pytest.fixture
def make_tip(creator):
    def make(amount_sats=5000, *, minutes_ago=0, **kwargs):
        now = timezone.now() - timedelta(minutes=minutes_ago)
        return tip_create(
            creator=kwargs.pop("for_creator", creator), amount_sats=amount_sats, now=now, **kwargs
        )

    return make
