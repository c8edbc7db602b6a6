"""status.json answers from a small per-tip cache entry, and never shows a stale state:
the entry goes when the tip's payments move, and time- and chain-dependent parts are
recomputed on every poll. With the cache down it answers from the database."""

from __future__ import annotations

from datetime import timedelta
from unittest import mock

import pytest
from django.utils import timezone

from payments.models import Tip
from payments.tasks import watch_chain, watch_mempool

pytestmark = pytest.mark.django_db


def poll(client, tip) -> dict:
    response = client.get(f"/t/{tip.public_id}/status.json")
    assert response.status_code == 200
    return response.json()


def test_a_repeated_poll_is_answered_without_the_database(client, tip, django_assert_num_queries):
    first = poll(client, tip)

    with django_assert_num_queries(0):
        again = poll(client, tip)

    assert again == first


def test_each_poll_shows_the_payment_as_it_moves_and_its_confirmations_grow(client, chain, tip):
    seen = [poll(client, tip)]
    chain.send([(tip.address.address, 5000)])
    watch_mempool()
    seen.append(poll(client, tip))
    chain.mine(1)
    watch_chain()
    seen.append(poll(client, tip))
    chain.mine(1)
    watch_chain()
    seen.append(poll(client, tip))

    assert [(s["status"], s["received_sats"], s["confirmations"]) for s in seen] == [
        ("awaiting_payment", 0, 0),
        ("in_mempool", 5000, 0),
        ("confirmed", 5000, 1),
        ("confirmed", 5000, 2),
    ]


def test_a_payment_taken_back_by_a_reorg_shows_at_the_next_poll(client, chain, tip):
    txid = chain.send([(tip.address.address, 5000)])
    chain.mine(1)
    watch_chain()
    before = poll(client, tip)

    chain.reorg(1, drop_txids=[txid])
    watch_chain()

    assert (before["status"], before["confirmations"]) == ("confirmed", 1)
    assert poll(client, tip)["received_sats"] == 0


def test_an_unpaid_tip_reads_expired_once_past_its_window_from_the_cache_too(client, tip):
    assert poll(client, tip)["status"] == "awaiting_payment"

    later = tip.expires_at + timedelta(seconds=1)
    with mock.patch("django.utils.timezone.now", return_value=later):
        assert poll(client, tip)["status"] == "expired"


def test_polls_answered_from_the_cache_still_keep_the_tip_watched(client, tip):
    poll(client, tip)
    later = timezone.now() + timedelta(minutes=5)

    with mock.patch("django.utils.timezone.now", return_value=later):
        poll(client, tip)

    assert Tip.objects.get(pk=tip.pk).watched_at == later


class CacheDown:
    """Every cache call fails, as with Redis unreachable."""

    def __getattr__(self, name: str):
        raise ConnectionError("cache unreachable")


def test_with_the_cache_down_it_answers_from_the_database(client, chain, tip):
    with mock.patch("payments.status_cache.cache", CacheDown()):
        first = poll(client, tip)
        chain.send([(tip.address.address, 5000)])
        watch_mempool()
        second = poll(client, tip)

    assert (first["status"], second["status"]) == ("awaiting_payment", "in_mempool")
    assert second["received_sats"] == 5000
