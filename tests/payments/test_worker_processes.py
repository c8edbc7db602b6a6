"""The watcher in real processes: a Celery worker on the real broker, and a scanner
killed mid-scan (SIGKILL) that resumes to exactly the same result."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from celery import Celery
from django.conf import settings
from django.db import connection

from chain.models import ChainState
from chain.simulated import SimulatedChain
from payments.models import Payment, Tip, TipStatus
from payments.services import tip_create
from payments.tasks import watch_chain
from tests.factories import CreatorFactory

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

ROOT = Path(__file__).resolve().parents[2]


def process_env(tmp_path: Path) -> dict[str, str]:
    """Environment for a child process that shares this test's database."""
    db = connection.settings_dict
    url = f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST")}
    env.update(
        DJANGO_SETTINGS_MODULE="bitcache.settings.local",
        DEBUG="0",
        DATABASE_URL=url,
        BITCACHE_CHAIN_SOURCE="simulated",
        BITCACHE_VAR_DIR=str(tmp_path),
        CELERY_BROKER_URL=settings.BITCACHE_TEST_BROKER_URL or "filesystem://",
    )
    return env


def wait_for(predicate, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.2)
    return False


@pytest.mark.broker
def test_a_real_celery_worker_on_the_real_broker_credits_a_payment(tmp_path):
    creator = CreatorFactory(status="active")
    chain = SimulatedChain.from_settings()
    chain.ensure_genesis()
    tip = tip_create(creator=creator, amount_sats=5000)
    chain.send([(tip.address.address, 5000)])
    queue = f"bitcache-test-{uuid.uuid4().hex}"
    worker = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "bitcache",
            "worker",
            "--pool=solo",
            "--queues",
            queue,
            "--without-gossip",
            "--without-mingle",
            "--loglevel=WARNING",
        ],
        cwd=ROOT,
        env=process_env(tmp_path),
    )
    try:
        # Not set as current: tests after this one must keep the eager app.
        client = Celery(broker=settings.BITCACHE_TEST_BROKER_URL, set_as_current=False)
        client.send_task("payments.tasks.watch_mempool", queue=queue)
        assert wait_for(lambda: Tip.objects.get(pk=tip.pk).status == TipStatus.IN_MEMPOOL, 60)

        chain.mine(1)
        client.send_task("payments.tasks.watch_chain", queue=queue)
        assert wait_for(lambda: Tip.objects.get(pk=tip.pk).status == TipStatus.CONFIRMED, 60)
    finally:
        worker.terminate()
        worker.wait(timeout=30)


def scanner_session_gone() -> None:
    """Wait for PostgreSQL to end a killed scanner's session: it frees the scanner's advisory
    lock only once the backend notices its client is gone (after the statement it was
    running), so a scan started at once could still find the lock taken."""
    from django.db import connection

    deadline = time.monotonic() + 30
    while True:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND database ="
                " (SELECT oid FROM pg_database WHERE datname = current_database())"
            )
            if cursor.fetchone()[0] == 0:
                return
        assert time.monotonic() < deadline, "the killed scanner's session never ended"
        time.sleep(0.05)


def test_a_scanner_killed_mid_scan_resumes_to_the_same_result(tmp_path, settings):
    settings.BITCACHE_MAX_OPEN_TIPS_PER_CREATOR = 1000
    settings.BITCACHE_GAP_LIMIT = 1000
    creator = CreatorFactory(status="active")
    chain = SimulatedChain.from_settings()
    chain.ensure_genesis()
    assert watch_chain() is not None  # scanning starts here
    tips = [tip_create(creator=creator, amount_sats=5000) for _ in range(40)]
    for height in range(150):
        chain.send([(tips[height % 40].address.address, 1000 + height)])
        chain.send(
            [
                (tips[(height * 7) % 40].address.address, 2000 + height),
                (tips[(height * 3) % 40].address.address, 3000 + height),
            ]
        )
        chain.mine(1)
    target = chain.tip().height
    start = ChainState.load().height

    killed_at = start
    for delay in (1.0, 1.5, 2.0, 3.0, 4.0):
        scanner = subprocess.Popen(
            [sys.executable, "manage.py", "watch_chain", "--loop", "0.01"],
            cwd=ROOT,
            env=process_env(tmp_path),
            stdout=subprocess.DEVNULL,
        )
        time.sleep(delay)
        scanner.send_signal(signal.SIGKILL)
        scanner.wait()
        killed_at = ChainState.load().height
        if start < killed_at < target or killed_at == target:
            break
    assert start < killed_at < target, "the scanner was not killed mid-scan"
    scanner_session_gone()

    while ChainState.load().height < target:
        assert watch_chain() is not None

    expected = {}
    for height in range(target + 1):
        for tx in chain.block(chain.block_hash(height)).transactions:
            for out in tx.outputs:
                expected[(tx.txid, out.index)] = out.value_sats
    recorded = {(p.txid, p.vout): p.value_sats for p in Payment.objects.all()}
    assert recorded == expected
    assert all(p.state == "confirmed" for p in Payment.objects.all())
    total = sum(t.confirmed_sats for t in Tip.objects.all())
    assert total == sum(expected.values())
