"""Watching the mempool apart from the blocks, at a cost bounded per open tip."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import timedelta

import pytest
from django.db import connections, transaction
from django.utils import timezone

from bitcache.celery_app import app
from chain import ChainSourceError
from chain.esplora import EsploraChain
from chain.http import RetryPolicy
from chain.simulated import SimulatedChain
from payments import services
from payments.models import Address, Payment, PaymentState, Tip, TipStatus
from payments.onchain.watcher import ScanReport, mempool_check_interval, scan_mempool
from payments.tasks import watch_chain, watch_mempool
from tests.chain.blocks import every_kind_block
from tests.chain.servers import EsploraApp, LocalServer, esplora_tx_json

TXID = "cd" * 32


@pytest.fixture
def esplora_app() -> EsploraApp:
    return EsploraApp([every_kind_block()])


@pytest.fixture
def esplora_server(esplora_app: EsploraApp) -> Iterator[LocalServer]:
    with LocalServer(esplora_app) as running:
        yield running


def esplora(server: LocalServer) -> EsploraChain:
    fast = RetryPolicy(attempts=2, base_delay=0.01, max_delay=0.02)
    return EsploraChain(server.url, network="mainnet", retry=fast, mempool_concurrency=4)


def address_requests(server: LocalServer) -> list[str]:
    return [path for path in server.paths() if path.startswith("/address/")]


def lookups_over(life: timedelta, *, screen_open_for: timedelta) -> int:
    """Look-ups of one tip's address over `life`, following the schedule."""
    age, count = timedelta(0), 0
    while age < life:
        count += 1
        age += mempool_check_interval(age=age, watched=age < screen_open_for, pending=False)
    return count


@pytest.mark.parametrize("monitor_hours", [24, 168])
def test_a_tip_costs_under_one_lookup_per_minute_of_its_payment_window(settings, monitor_hours):
    """The whole life's look-ups, monitoring window included, spread over the minutes the
    tip is open: what each open tip costs per minute on a site where tips keep coming."""
    settings.BITCACHE_TIP_MONITOR_HOURS = monitor_hours
    expiry = timedelta(minutes=settings.BITCACHE_TIP_EXPIRY_MINUTES)
    life = expiry + timedelta(hours=monitor_hours)

    watched_throughout = lookups_over(life, screen_open_for=expiry)

    assert watched_throughout / (expiry / timedelta(minutes=1)) <= 1
    assert watched_throughout / (life / timedelta(minutes=1)) <= 1


def test_the_schedule_is_fast_while_the_payment_screen_is_open():
    young = timedelta(minutes=1)

    watched = mempool_check_interval(age=young, watched=True, pending=False)
    unwatched = mempool_check_interval(age=young, watched=False, pending=False)
    old = mempool_check_interval(age=timedelta(days=2), watched=False, pending=False)

    assert watched == timedelta(seconds=10)
    assert watched < unwatched < old


def test_open_tips_cost_at_most_one_esplora_request_a_minute_each_over_an_hour(
    make_tip, esplora_server
):
    source = esplora(esplora_server)
    start = timezone.now()
    tips = [make_tip() for _ in range(4)]

    for step in range(6 * 60 + 1):  # a run every 10 s for an hour
        now = start + timedelta(seconds=10 * step)
        # The worst case: every payment screen stays open the whole hour.
        Tip.objects.filter(pk__in=[t.pk for t in tips]).update(watched_at=now)
        scan_mempool(source, now=now, report=ScanReport())

    asked = address_requests(esplora_server)
    assert len(asked) <= len(tips) * 60
    assert {path.split("/")[2] for path in asked} == {t.address.address for t in tips}


def test_a_payment_to_a_due_address_is_credited_from_esplora(make_tip, esplora_app, esplora_server):
    tip = make_tip()
    esplora_app.mempool[tip.address.address] = [
        esplora_tx_json(TXID, [(tip.address.address, 5000)])
    ]

    scan_mempool(esplora(esplora_server), now=timezone.now(), report=ScanReport())

    tip.refresh_from_db()
    assert (tip.status, tip.received_sats) == (TipStatus.IN_MEMPOOL, 5000)


def test_addresses_not_due_are_not_asked_about(make_tip, esplora_server):
    due, later, past_its_window = make_tip(), make_tip(), make_tip()
    now = timezone.now()
    Address.objects.filter(pk=later.address_id).update(mempool_check_at=now + timedelta(minutes=5))
    Address.objects.filter(pk=past_its_window.address_id).update(mempool_check_at=None)

    scan_mempool(esplora(esplora_server), now=now, report=ScanReport())

    assert address_requests(esplora_server) == [f"/address/{due.address.address}/txs/mempool"]


def test_an_address_asked_about_is_not_asked_again_until_due(make_tip, esplora_server):
    tip = make_tip()
    source = esplora(esplora_server)
    now = timezone.now()

    scan_mempool(source, now=now, report=ScanReport())
    scan_mempool(source, now=now + timedelta(seconds=1), report=ScanReport())

    assert len(address_requests(esplora_server)) == 1
    tip.address.refresh_from_db()
    assert tip.address.mempool_check_at > now


def test_an_address_past_its_window_is_no_longer_watched_in_the_mempool(
    make_tip, esplora_server, settings
):
    window = settings.BITCACHE_TIP_EXPIRY_MINUTES + settings.BITCACHE_TIP_MONITOR_HOURS * 60
    tip = make_tip(minutes_ago=window + 1)

    scan_mempool(esplora(esplora_server), now=timezone.now(), report=ScanReport())

    tip.address.refresh_from_db()
    assert tip.address.mempool_check_at is None


class StuckMempool(SimulatedChain):
    """The simulated chain, but asking about its mempool hangs until released."""

    def __init__(self) -> None:
        super().__init__()
        self.asked = threading.Event()
        self.release = threading.Event()

    def mempool_txids(self) -> set[str]:
        self.asked.set()
        self.release.wait(timeout=60)
        raise ChainSourceError("the mempool look-up finally timed out")


@pytest.mark.django_db(transaction=True)
def test_blocks_are_scanned_and_credited_while_the_mempool_watcher_is_stuck(make_tip, monkeypatch):
    stuck = StuckMempool()
    stuck.ensure_genesis()
    monkeypatch.setattr("payments.tasks.get_chain_source", lambda: stuck)
    assert watch_chain() is not None  # the first run sets the starting height
    tip = make_tip()
    results: list[dict | None] = []

    def poll_mempool() -> None:
        try:
            results.append(watch_mempool())
        finally:
            connections.close_all()

    poller = threading.Thread(target=poll_mempool)
    poller.start()
    try:
        assert stuck.asked.wait(timeout=30)
        stuck.send([(tip.address.address, 5000)])
        stuck.mine(1)

        report = watch_chain()
    finally:
        stuck.release.set()
        poller.join(timeout=30)

    assert report is not None and report["payments"] == 1
    tip.refresh_from_db()
    assert tip.status == TipStatus.CONFIRMED
    assert results == [None]  # the stuck poll gave up on its own


def test_the_mempool_watcher_has_its_own_queue_and_beat_entry(settings):
    def queue_of(task_name: str) -> str:
        return app.amqp.router.route({}, task_name)["queue"].name

    scheduled = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}

    assert queue_of("payments.tasks.watch_mempool") == "mempool"
    assert queue_of("payments.tasks.watch_chain") == "chain"
    assert {"payments.tasks.watch_chain", "payments.tasks.watch_mempool"} <= scheduled


def test_an_output_the_block_scan_recorded_meanwhile_stays_recorded_once_and_confirmed(
    make_tip, monkeypatch
):
    tip = make_tip()
    now = timezone.now()
    real_tip_for_address = services.tip_for_address

    def block_scan_records_it_first(address, at):
        owner = real_tip_for_address(address, at)
        Payment.objects.create(
            tip=owner,
            address=address,
            txid=TXID,
            vout=0,
            value_sats=5000,
            first_seen_at=at,
            state=PaymentState.CONFIRMED,
            block_height=1,
            block_hash="00" * 32,
        )
        return owner

    monkeypatch.setattr(services, "tip_for_address", block_scan_records_it_first)

    with transaction.atomic():
        seen = services.payment_observe(
            services.Observed(tip.address, TXID, 0, 5000, None), now=now
        )

    assert seen is not None and seen.state == PaymentState.CONFIRMED
    assert Payment.objects.filter(txid=TXID).count() == 1
