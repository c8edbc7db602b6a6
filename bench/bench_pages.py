"""Viewer pages under load: /w/<id>/ and /@<handle> against a bare "OK" Django view.

One gunicorn (2 sync workers, PostgreSQL) serves the three URLs; wrk loads each in
turn at 32 connections, over several interleaved rounds so drift hits all alike.
The bare view runs through the same middleware, so the ratio is the cost of the page
itself: its queries and its template. Run: `python -m bench.bench_pages`.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator

from django.http import HttpRequest, HttpResponse
from django.urls import include, path

from bench.common import ROOT, setup_django, table

CONNECTIONS = 32
THREADS = 2
WORKERS = 2
ROUNDS = 3
SECONDS = 5
TARGET_RATIO = 0.8


def ok(request: HttpRequest) -> HttpResponse:
    return HttpResponse("OK")


# The workers' URLconf, filled once Django is set up (see bench_application): the site
# plus the bare baseline view, which never reaches the production URLs.
urlpatterns: list = []


def bench_application():
    """The gunicorn app factory: the site's WSGI app routed through this module's URLs."""
    from django.conf import settings
    from django.core.wsgi import get_wsgi_application

    application = get_wsgi_application()
    urlpatterns[:] = [path("bench/ok", ok), path("", include("bitcache.urls"))]
    settings.ROOT_URLCONF = __name__
    return application


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_until_up(url: str, timeout: float = 180) -> None:
    # Generous: on a loaded machine a worker takes well over 10 s to import Django.
    deadline = time.monotonic() + timeout
    while True:
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            if time.monotonic() > deadline:
                raise SystemExit(f"gunicorn did not answer {url}") from None
            time.sleep(0.2)


_UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0}


def wrk(url: str, seconds: int, *, connections: int = CONNECTIONS) -> tuple[float, float]:
    """(requests per second, p99 latency in ms) of `url` at `connections` connections."""
    result = subprocess.run(
        ["wrk", f"-t{THREADS}", f"-c{connections}", f"-d{seconds}s", "--latency", url],
        capture_output=True,
        text=True,
        check=True,
    )
    out = result.stdout
    if "Non-2xx" in out or "Socket errors" in out:
        raise SystemExit(f"errors while loading {url}:\n{out}")
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    value, unit = re.search(r"^\s+99%\s+([\d.]+)(us|ms|s)\s*$", out, re.M).groups()
    return rps, float(value) * _UNITS[unit]


@contextlib.contextmanager
def gunicorn(application: str) -> Iterator[int]:
    """`application` ("module:factory()") served by WORKERS gunicorn workers on a free
    loopback port, yielded; stopped on the way out."""
    port = free_port()
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            f"--workers={WORKERS}",
            f"--bind=127.0.0.1:{port}",
            "--log-level=warning",
            application,
        ],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    try:
        yield port
    finally:
        stop(server)


def served_samples(urls: dict[str, str]) -> dict[str, list[tuple[float, float]]]:
    """(requests/s, p99 ms) of each URL behind gunicorn, ROUNDS runs of wrk each, the URLs
    taking turns so that drift on a shared machine spreads over all of them."""
    samples: dict[str, list[tuple[float, float]]] = {name: [] for name in urls}
    with gunicorn("bench.bench_pages:bench_application()") as port:
        base = f"http://127.0.0.1:{port}"
        for url in urls.values():
            wait_until_up(base + url)
            wrk(base + url, 1)  # warm both workers' connections and caches
        for _ in range(ROUNDS):
            for name, url in urls.items():
                samples[name].append(wrk(base + url, SECONDS))
    return samples


def stop(server: subprocess.Popen) -> None:
    """Stop gunicorn: gracefully, or killed if a loaded machine keeps it over a minute."""
    server.terminate()
    try:
        server.wait(timeout=60)
    except subprocess.TimeoutExpired:
        server.kill()
        server.wait()


def main() -> str:
    if shutil.which("wrk") is None:
        raise SystemExit("bench_pages needs wrk: apt-get install -y wrk")
    setup_django()
    from tests.factories import CreatorFactory
    from widgets.services import widget_create

    creator = CreatorFactory(
        handle="bench",
        display_name="Bench Creator",
        bio="Films about everything, measured.",
        verified=True,
        suggested_amounts=[1000, 5000, 21000],
        thank_you_message="Thanks!",
    )
    widget = widget_create(creator=creator, label="Bench", min_tip_sats=2000)

    pages = {
        "bare `OK` view (baseline)": "/bench/ok",
        "`/w/<id>/` widget": f"/w/{widget.public_id}/",
        "`/@<handle>` tip page": "/@bench",
    }
    samples = served_samples(pages)

    baseline = statistics.median(rps for rps, _ in samples["bare `OK` view (baseline)"])
    rows = []
    for name, runs in samples.items():
        rps = statistics.median(r for r, _ in runs)
        p99 = statistics.median(p for _, p in runs)
        rows.append([name, f"{rps:,.0f}", f"{p99:.1f}", f"{rps / baseline:.2f}"])
    return (
        f"### Viewer pages vs a bare Django view (gunicorn {WORKERS} workers, PostgreSQL, "
        f"wrk {CONNECTIONS} connections, median of {ROUNDS} x {SECONDS} s)\n\n"
        + table(["page", "requests/s", "p99 latency (ms)", "throughput ratio"], rows)
        + f"\n\nTarget: ratio >= {TARGET_RATIO} for both pages."
    )


if __name__ == "__main__":
    print(main())
