"""A slow creator never stalls the site (issue 13): another creator's tip page under load
on one big creator.

Seeds a creator with BIG tips (default 1,000,000, as bench_big_creator does; `python -m
bench.bench_stall 100000` or BENCH_BIG_TIPS for a smaller run) and another creator with
none. One gunicorn (2 sync workers, PostgreSQL, as bench_pages) serves the site. In
interleaved rounds, wrk loads the other creator's tip page (`/@other`, 8 connections):

- alone (unloaded);
- while the big creator gets TIPS_PER_SECOND new tips (`POST /api/v1/tips/`) and
  PAGES_PER_SECOND dashboard pages (overview, tip list, messages), open loop: twice the
  ~1 tip/s that held both workers and stalled the whole site before (issue 13).

It reports the other page's p99 latency and throughput loaded / unloaded, wrk's errors
and timeouts (10 s), and the big creator's own latencies meanwhile.
"""

from __future__ import annotations

import http.client
import json
import re
import shutil
import statistics
import subprocess
import threading
import time

from bench.bench_big_creator import SMALL, big_size, seed
from bench.bench_pages import gunicorn, wait_until_up
from bench.common import setup_django, table

# A creator's traffic: the issue's ~1 tip/s that stalled the whole site, and its dashboard
# read as often, in STREAMS parallel streams of each.
TIPS_PER_SECOND = 1.0
PAGES_PER_SECOND = 1.0
STREAMS = 1
PAGES = ["/dashboard/", "/dashboard/tips/", "/dashboard/messages/"]
ROUNDS = 3
SECONDS = 10
WORKERS = 2
CONNECTIONS = 8
UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0}

urlpatterns: list = []


def bench_application():
    """The gunicorn app factory: the site, with the caps that would refuse a load test's
    tips (open tips per creator and client, rate limits, gap limit) lifted."""
    from django.conf import settings
    from django.core.wsgi import get_wsgi_application

    application = get_wsgi_application()
    settings.BITCACHE_MAX_OPEN_TIPS_PER_CREATOR = 10**9
    settings.BITCACHE_MAX_OPEN_TIPS_PER_CLIENT = 10**9
    settings.BITCACHE_TIP_RATE_PER_IP = 10**9
    settings.BITCACHE_TIP_RATE_PER_CREATOR = 10**9
    settings.BITCACHE_GAP_LIMIT = 10**9
    return application


class Load:
    """The big creator's traffic, open loop: TIPS_PER_SECOND tip creations and
    PAGES_PER_SECOND dashboard pages (overview, tip list, messages in turn), each stream
    sending on its own clock (a late answer delays the next request of that stream only),
    with each request's latency recorded."""

    def __init__(self, port: int, handle: str, session: str) -> None:
        self.port = port
        self.handle = handle
        self.session = session
        self.stop = threading.Event()
        self.latencies: list[float] = []
        self.failed = 0
        self.lock = threading.Lock()
        self.threads = [
            threading.Thread(target=self._run, args=(creates, rate / STREAMS), daemon=True)
            for creates, rate in ((True, TIPS_PER_SECOND), (False, PAGES_PER_SECOND))
            for _ in range(STREAMS)
        ]

    def __enter__(self) -> Load:
        for thread in self.threads:
            thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop.set()
        for thread in self.threads:
            thread.join(timeout=120)

    def _request(self, creates: bool, turn: int) -> bool:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=120)
        try:
            if creates:
                body = json.dumps({"handle": self.handle, "amount_sats": 5000, "message": "hi"})
                conn.request("POST", "/api/v1/tips/", body, {"Content-Type": "application/json"})
            else:
                conn.request("GET", PAGES[turn % len(PAGES)], headers={"Cookie": self.session})
            response = conn.getresponse()
            response.read()
            return response.status in (200, 201)
        except OSError:
            return False
        finally:
            conn.close()

    def _run(self, creates: bool, rate: float) -> None:
        interval = 1 / rate
        due = time.perf_counter()
        turn = 0
        while not self.stop.is_set():
            started = time.perf_counter()
            good = self._request(creates, turn)
            took = time.perf_counter() - started
            turn += 1
            with self.lock:
                self.latencies.append(took)
                self.failed += not good
            due += interval
            self.stop.wait(max(0.0, due - time.perf_counter()))


def wrk_run(url: str, seconds: int) -> tuple[float, float, int]:
    """(requests/s, p99 ms, errors) of `url`: like bench_pages.wrk, but a slow answer is
    waited for (10 s) and counted, not a reason to stop the run."""
    out = subprocess.run(
        [
            "wrk",
            "-t2",
            f"-c{CONNECTIONS}",
            f"-d{seconds}s",
            "--timeout=10s",
            "--latency",
            url,
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    value, unit = re.search(r"^\s+99%\s+([\d.]+)(us|ms|s)\s*$", out, re.M).groups()
    errors = sum(int(n) for n in re.findall(r"(?:connect|read|write|timeout) (\d+)", out))
    non_2xx = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)
    return rps, float(value) * UNITS[unit], errors + (int(non_2xx.group(1)) if non_2xx else 0)


def main() -> str:
    if shutil.which("wrk") is None:
        raise SystemExit("bench_stall needs wrk: apt-get install -y wrk")
    big_tips = big_size()
    setup_django()
    from django.conf import settings
    from django.db import connection
    from django.test import Client

    from payments.onchain.gaps import gaps_rebuild
    from payments.rollups import rollups_rebuild
    from tests.factories import CreatorFactory

    big = CreatorFactory(status="active", handle="big")
    small = CreatorFactory(status="active", handle="small")
    CreatorFactory(status="active", handle="other", display_name="Other Creator")
    seconds = seed(big, big_tips) + seed(small, SMALL)
    rollups_rebuild()
    gaps_rebuild()  # the seed writes payments behind the kept gap health's back too
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
    sessions = {}
    for creator in (big, small):
        browser = Client()
        browser.force_login(creator.user)
        cookie = settings.SESSION_COOKIE_NAME
        sessions[creator.handle] = f"{cookie}={browser.cookies[cookie].value}"

    samples: dict[str, list[tuple[float, float, int]]] = {
        "unloaded": [],
        "big": [],
        "small": [],
    }
    latencies: dict[str, list[float]] = {"big": [], "small": []}
    failed = dict.fromkeys(latencies, 0)
    loaded_seconds = dict.fromkeys(latencies, 0.0)
    with gunicorn("bench.bench_stall:bench_application()") as port:
        other = f"http://127.0.0.1:{port}/@other"
        wait_until_up(other)
        wrk_run(other, 1)  # warm both workers
        for _ in range(ROUNDS):
            samples["unloaded"].append(wrk_run(other, SECONDS))
            for handle in ("big", "small"):
                started = time.perf_counter()
                with Load(port, handle, sessions[handle]) as load:
                    time.sleep(1)  # the creator's traffic is under way
                    samples[handle].append(wrk_run(other, SECONDS))
                loaded_seconds[handle] += time.perf_counter() - started
                latencies[handle] += load.latencies
                failed[handle] += load.failed

    def median(kind: str, index: int) -> float:
        return statistics.median(sample[index] for sample in samples[kind])

    def errors(kind: str) -> int:
        return sum(sample[2] for sample in samples[kind])

    def ratio(a: float, b: float) -> str:
        return f"{a / b:.2f}"

    p99s = {kind: median(kind, 1) for kind in samples}
    rates = {kind: median(kind, 0) for kind in samples}
    rows = [
        [
            "p99 latency (ms)",
            f"{p99s['unloaded']:.1f}",
            f"{p99s['small']:.1f}",
            f"{p99s['big']:.1f}",
            ratio(p99s["big"], p99s["unloaded"]),
            ratio(p99s["big"], p99s["small"]),
        ],
        [
            "requests/s",
            f"{rates['unloaded']:,.0f}",
            f"{rates['small']:,.0f}",
            f"{rates['big']:,.0f}",
            ratio(rates["big"], rates["unloaded"]),
            ratio(rates["big"], rates["small"]),
        ],
        [
            "errors or timeouts (10 s)",
            errors("unloaded"),
            errors("small"),
            errors("big"),
            "",
            "",
        ],
    ]
    own = []
    for handle in ("big", "small"):
        ordered = sorted(latencies[handle]) or [0.0]
        own.append(
            [
                f"{handle} creator ({big_tips if handle == 'big' else SMALL:,} tips)",
                f"{len(latencies[handle]) / loaded_seconds[handle]:.1f}",
                f"{ordered[len(ordered) // 2] * 1000:.0f}",
                f"{ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))] * 1000:.0f}",
                failed[handle],
            ]
        )
    return (
        f"### A slow creator never stalls the site: `/@other` under load on a {big_tips:,}-tip "
        f"creator (gunicorn {WORKERS} workers, wrk {CONNECTIONS} connections, median of "
        f"{ROUNDS} x {SECONDS} s)\n\n"
        f"Seeded {big_tips + SMALL:,} tips in {seconds:.0f} s. A loading creator's traffic, "
        f"open loop: {TIPS_PER_SECOND:g} tip creation/s (`POST /api/v1/tips/`) and "
        f"{PAGES_PER_SECOND:g} dashboard page/s (overview, tip list, messages in turn), "
        f"sent to the {big_tips:,}-tip creator, or to a {SMALL:,}-tip one for comparison.\n\n"
        + table(
            [
                "`/@other` (another creator's tip page)",
                "unloaded",
                f"load on {SMALL:,}-tip creator",
                f"load on {big_tips:,}-tip creator",
                "big load / unloaded",
                "big load / small load",
            ],
            rows,
        )
        + "\n\nThe loading creators' own requests:\n\n"
        + table(["traffic to", "requests/s", "p50 (ms)", "p99 (ms)", "failed"], own)
        + "\n\nIssue 13 sets no ratio: other creators' pages must keep answering (errors "
        "counted above), with their p99 reported. `big load / small load` near 1 means the "
        "big creator's history costs the site nothing more than a small creator's traffic."
    )


if __name__ == "__main__":
    print(main())
