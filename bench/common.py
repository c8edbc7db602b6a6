"""Shared set-up for benchmarks: a dedicated PostgreSQL database, migrated, and timing helpers.

Benchmarks report ratios against a baseline measured in the same run, on the same machine,
so figures compare across machines even though absolute times don't.
"""

from __future__ import annotations

import os
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_BENCH_DB = "postgres://postgres@127.0.0.1:5432/bitcache_bench"


def setup_django() -> None:
    """Point Django at the benchmark database (created if needed) and migrate it."""
    sys.path.insert(0, str(ROOT))
    os.environ["DATABASE_URL"] = os.environ.get("BENCH_DATABASE_URL", DEFAULT_BENCH_DB)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bitcache.settings.local")
    os.environ["DEBUG"] = "0"  # no query logging in memory
    # Tip emails the benchmarks set off go nowhere (the console backend would print them
    # into the results).
    os.environ["EMAIL_BACKEND"] = "django.core.mail.backends.dummy.EmailBackend"
    os.environ.setdefault("BITCACHE_VAR_DIR", str(ROOT / "var" / "bench"))
    _create_database(os.environ["DATABASE_URL"])
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def _create_database(url: str) -> None:
    """A fresh, empty benchmark database for every run."""
    if not url.startswith("postgres"):
        raise SystemExit("benchmarks need PostgreSQL: set BENCH_DATABASE_URL=postgres://...")
    import psycopg

    base, name = url.rsplit("/", 1)
    with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.execute(f'CREATE DATABASE "{name}"')


def median_seconds(fn: Callable[[], object], *, repeat: int = 7, warmup: int = 1) -> float:
    for _ in range(warmup):
        fn()
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - start)
    return statistics.median(samples)


def table(headers: list[str], rows: list[list[object]]) -> str:
    lines = ["| " + " | ".join(headers) + " |", "|" + "---|" * len(headers)]
    lines += ["| " + " | ".join(str(cell) for cell in row) + " |" for row in rows]
    return "\n".join(lines)
