"""Under uvicorn every request runs on a thread of its own: with the pool (production's
default) a burst of viewers never opens more PostgreSQL connections than the pool holds,
where persistent per-thread connections ran the server out of connections (HTTP 503)."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from django.db import connection

from payments.services import tip_create
from tests.factories import CreatorFactory
from tests.nwc.local_relay import free_port
from tests.test_settings import load_production

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

ROOT = Path(__file__).resolve().parents[1]
POOL = 3
VIEWERS = 40
APPLICATION = "bitcache-pool-test"


def test_production_pools_database_connections(tmp_path):
    code = (
        "from django.conf import settings; d = settings.DATABASES['default'];"
        "print(d['CONN_MAX_AGE'], d['OPTIONS']['pool']['max_size'])"
    )
    url = "postgres://postgres@127.0.0.1:5432/bitcache"
    default = load_production(tmp_path, code=code, DATABASE_URL=url)
    sized = load_production(tmp_path, code=code, DATABASE_URL=url, BITCACHE_DB_POOL_SIZE="4")

    assert default.stdout.split() == ["0", "10"], default.stderr
    assert sized.stdout.split() == ["0", "4"], sized.stderr


def backends(name: str) -> int:
    """Connections of the site under test (by their application name): other tests of this
    process may still hold connections of their own to the same database."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = %s AND application_name = %s",
            [name, APPLICATION],
        )
        return cursor.fetchone()[0]


@pytest.fixture
def pooled_site():
    """uvicorn (the production ASGI server) on the test database, with a pool of POOL."""
    db = connection.settings_dict
    url = f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
    url += f"?application_name={APPLICATION}"
    port = free_port()
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "bitcache.settings.test",
        "DATABASE_URL": url,
        "BITCACHE_DB_POOL_SIZE": str(POOL),
    }
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "uvicorn",
            "bitcache.asgi:application",
            "--port",
            str(port),
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=env,
        stderr=subprocess.PIPE,
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                assert server.poll() is None, server.stderr.read().decode()
                assert time.monotonic() < deadline, "uvicorn did not start"
                time.sleep(0.1)
        yield f"http://127.0.0.1:{port}", db["NAME"]
    finally:
        server.terminate()
        server.wait(10)


def test_a_burst_of_viewers_shares_the_pool_and_every_one_gets_an_answer(pooled_site):
    site, name = pooled_site
    tip = tip_create(creator=CreatorFactory(handle="alice", verified=True), amount_sats=5000)
    url = f"{site}/t/{tip.public_id}/status.json"
    peak, stop = [0], threading.Event()

    def watch() -> None:
        try:
            while not stop.is_set():
                peak[0] = max(peak[0], backends(name))
        finally:
            connection.close()  # this thread's own connection

    def poll(_: int) -> int:
        with urllib.request.urlopen(url, timeout=30) as answer:
            return answer.status

    watcher = threading.Thread(target=watch)
    watcher.start()
    try:
        with ThreadPoolExecutor(VIEWERS) as viewers:
            statuses = list(viewers.map(poll, range(VIEWERS * 3)))
    finally:
        stop.set()
        watcher.join()

    assert statuses == [200] * (VIEWERS * 3)
    assert 1 <= peak[0] <= POOL
