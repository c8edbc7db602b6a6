"""Fixtures for tips and chain-watching tests: an active creator with the BIP84
vector key, the simulated chain, and a `watch` helper that runs the watcher task."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from payments.chain.simulated import SimulatedChain
from payments.services import tip_create
from payments.tasks import watch_chain
from tests.factories import CreatorFactory


@pytest.fixture
def creator(db):
    return CreatorFactory(status="active", min_tip_sats=1000)


@pytest.fixture
def chain(db) -> SimulatedChain:
    chain = SimulatedChain.from_settings()
    chain.ensure_genesis()
    return chain


@pytest.fixture
def watch(chain):
    """Run the watcher once, as beat would, and fail loudly if it did not run."""

    def run():
        report = watch_chain()
        assert report is not None, "the watcher skipped its run (lock busy or backing off)"
        return report

    run()  # the first run sets the starting height
    return run


@pytest.fixture
def make_tip(creator):
    def make(amount_sats=5000, *, minutes_ago=0, **kwargs):
        now = timezone.now() - timedelta(minutes=minutes_ago)
        return tip_create(
            creator=kwargs.pop("for_creator", creator), amount_sats=amount_sats, now=now, **kwargs
        )

    return make
