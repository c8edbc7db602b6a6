"""Suite-wide set-up: which database and broker the tests run against.

CI (BITCACHE_REQUIRE_SERVICES=1) insists on PostgreSQL and a real broker and
fails at once without them. Elsewhere, without DATABASE_URL, the suite runs on
SQLite and skips the tests marked `postgres`, and says so at the end.
"""

from __future__ import annotations

import os

import pytest
from django.conf import settings
from django.core.cache import cache
from django.utils import translation
from hypothesis import settings as hypothesis_settings

from chain.simulated import SimulatedChain
from payments import status_cache
from payments.tasks import watch_chain, watch_mempool

REQUIRE_SERVICES = os.environ.get("BITCACHE_REQUIRE_SERVICES") == "1"

# Locally hypothesis explores new examples every run (and keeps failures in
# .hypothesis/); in CI it replays a fixed set, so a landing never depends on luck.
hypothesis_settings.register_profile("ci", derandomize=True, print_blob=True)
if os.environ.get("CI"):
    hypothesis_settings.load_profile("ci")


def _on_postgres() -> bool:
    return settings.DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql"


def _broker_url() -> str:
    return settings.BITCACHE_TEST_BROKER_URL


def pytest_configure(config: pytest.Config) -> None:
    if REQUIRE_SERVICES and not _on_postgres():
        pytest.exit("CI requires PostgreSQL: set DATABASE_URL to a postgres:// URL.", returncode=3)
    if REQUIRE_SERVICES and not _broker_url().startswith(("redis://", "amqp://", "pyamqp://")):
        pytest.exit(
            "CI requires a real broker: set CELERY_BROKER_URL (redis:// or amqp://).", returncode=3
        )


def pytest_report_header(config: pytest.Config) -> list[str]:
    database = settings.DATABASES["default"]
    broker = _broker_url() or "none (broker tests skipped)"
    return [f"bitcache: database {database['ENGINE'].rsplit('.', 1)[-1]}, broker {broker}"]


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    skip_pg = pytest.mark.skip(reason="needs PostgreSQL (set DATABASE_URL)")
    skip_broker = pytest.mark.skip(reason="needs a real broker (set CELERY_BROKER_URL)")
    for item in items:
        if "postgres" in item.keywords and not _on_postgres():
            item.add_marker(skip_pg)
        if "broker" in item.keywords and not _broker_url():
            item.add_marker(skip_broker)


def pytest_terminal_summary(terminalreporter, exitstatus, config) -> None:
    if not _on_postgres():
        skipped = [
            r for r in terminalreporter.stats.get("skipped", []) if "PostgreSQL" in str(r.longrepr)
        ]
        terminalreporter.write_line(
            f"NOTE: ran on SQLite (no DATABASE_URL); {len(skipped)} PostgreSQL-only tests skipped.",
            yellow=True,
        )


@pytest.fixture(autouse=True)
def fresh_cache():
    """Rate-limit counters (ours and allauth's, which count every sign-in) and used
    one-time codes live in the cache: each test starts with none (status.json's copies
    kept by the process too)."""
    cache.clear()
    status_cache.local_clear()
    yield
    cache.clear()
    status_cache.local_clear()


# --- The simulated chain, shared by the payments, dashboard, API and webhook tests -------


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
        mempool = watch_mempool()
        assert mempool is not None, "the mempool watcher skipped its run"
        return {
            key: report[key] + mempool.get(key, 0) if key in mempool else report[key]
            for key in report
        }

    run()  # the first run sets the starting height
    return run


@pytest.fixture
def pay(chain, watch, django_capture_on_commit_callbacks):
    """Pay a tip on the simulated chain and run the watcher, with what happens after
    commit (status signals, webhooks, emails) run too, as in production.

    pay(tip) sends the requested amount and mines a block; confirm=False leaves the
    payment in the mempool. Returns the txid.
    """

    def run(tip, sats=None, *, confirm=True):
        with django_capture_on_commit_callbacks(execute=True):
            txid = chain.send([(tip.address.address, sats or tip.amount_sats)])
            watch()
        if confirm:
            with django_capture_on_commit_callbacks(execute=True):
                chain.mine(1)
                watch()
        tip.refresh_from_db()
        return txid

    return run


@pytest.fixture(autouse=True)
def _default_language():
    """A French request leaves French active in its thread: start each test as a new process."""
    yield
    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture
def static_rates(db):
    """The Rate table as `make run` fills it: the beat task run once with the static
    provider (1 BTC = 90,000 EUR, 100,000 USD, 15,000,000 JPY...)."""
    from rates.tasks import rates_refresh

    rates_refresh()
