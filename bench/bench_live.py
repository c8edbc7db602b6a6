"""Idle live connections: how many server-sent event streams one uvicorn process holds,
its memory per connection, and the time to fan one event out to 1,000 viewers.

One uvicorn worker (PostgreSQL, Redis started here on 127.0.0.1) serves the site; an
asyncio client opens CONNECTIONS streams spread over TIPS tips and reads each one's
first frame, then measures the worker's resident memory. Then 1,000 streams of one tip
wait while the tip is paid (the simulated chain reports it, the mempool watcher runs): the
fan-out time is from the payment's report to the last stream's "in_mempool" frame. The
baseline, in the same run and worker: the polling the streams replace, 1,000 viewers of
another tip each fetching `status.json` every POLL_SECONDS (random phases), timed from the
payment's report to the last viewer's answer that shows it.
Run: `python -m bench.bench_live` (CONNECTIONS=... to change).
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import random
import re
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

from bench.bench_pages import free_port
from bench.common import ROOT, setup_django, table

CONNECTIONS = int(os.environ.get("CONNECTIONS", "5000"))
TIPS = 100
FAN_OUT = 1000
OPEN_AT_ONCE = 20  # opened concurrently: each opening request briefly holds a DB connection
POLL_SECONDS = 4.0  # the payment page's poll of status.json, where push is unavailable


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def rss_kb(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise SystemExit("no VmRSS")


async def open_stream(port: int, tip_id: str) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(
        f"GET /t/{tip_id}/events HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        "Accept: text/event-stream\r\n\r\n".encode()
    )
    await writer.drain()
    await reader.readuntil(b"event: status")  # headers, retry, the state now
    await reader.readuntil(b"\n\n")
    return reader, writer


async def open_many(port: int, tip_ids: list[str], count: int) -> list:
    streams: list = []
    for start in range(0, count, OPEN_AT_ONCE):
        batch = [
            open_stream(port, tip_ids[i % len(tip_ids)])
            for i in range(start, min(count, start + OPEN_AT_ONCE))
        ]
        streams += await asyncio.gather(*batch)
    return streams


async def fan_out(port: int, tip_id: str, pay) -> float:
    """FAN_OUT streams of one tip; the time from its payment's report to the last one
    showing it."""
    streams = await open_many(port, [tip_id], FAN_OUT)
    started = time.perf_counter()
    await asyncio.to_thread(pay)
    await asyncio.gather(*(reader.readuntil(b'"in_mempool"') for reader, _ in streams))
    elapsed = time.perf_counter() - started
    for _, writer in streams:
        writer.close()
    return elapsed


async def poll_status(
    reader: asyncio.StreamReader, writer: asyncio.StreamWriter, tip_id: str
) -> bytes:
    """One status.json request on a kept-alive connection; the body."""
    writer.write(f"GET /t/{tip_id}/status.json HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".encode())
    await writer.drain()
    head = await reader.readuntil(b"\r\n\r\n")
    length = re.search(rb"content-length: (\d+)", head, re.I)
    if length is None or not head.startswith(b"HTTP/1.1 200"):
        raise SystemExit(f"status.json answered {head[:40]!r}")
    return await reader.readexactly(int(length.group(1)))


async def fan_out_polled(port: int, tip_id: str, pay) -> tuple[float, float]:
    """FAN_OUT viewers polling one tip's status.json every POLL_SECONDS (random phases,
    kept-alive connections); the time from the payment's report to the last viewer seeing
    it, and the requests per second the polling cost meanwhile."""
    connections = []
    for start in range(0, FAN_OUT, OPEN_AT_ONCE):
        batch = [
            asyncio.open_connection("127.0.0.1", port)
            for _ in range(start, min(FAN_OUT, start + OPEN_AT_ONCE))
        ]
        connections += await asyncio.gather(*batch)
    requests = 0

    async def viewer(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> float:
        nonlocal requests
        await asyncio.sleep(random.uniform(0, POLL_SECONDS))
        while True:
            body = await poll_status(reader, writer, tip_id)
            requests += 1
            if b'"in_mempool"' in body:
                return time.perf_counter()
            await asyncio.sleep(POLL_SECONDS)

    viewers = [asyncio.ensure_future(viewer(r, w)) for r, w in connections]
    await asyncio.sleep(POLL_SECONDS * 1.5)  # every viewer is polling on its own phase
    counted_from, requests = time.perf_counter(), 0
    paid_at = time.perf_counter()
    await asyncio.to_thread(pay)
    seen = await asyncio.gather(*viewers)
    finished = time.perf_counter()
    for _, writer in connections:
        writer.close()
    return max(seen) - paid_at, requests / (finished - counted_from)


@contextlib.contextmanager
def live_site(connections: int) -> Iterator[tuple[int, subprocess.Popen[bytes]]]:
    """A Redis server and one uvicorn worker publishing through it; yields (port, worker).

    This process publishes to the same Redis (settings.BITCACHE_LIVE_REDIS_URL)."""
    from django.conf import settings

    redis_binary = shutil.which("redis-server")
    if redis_binary is None:
        raise SystemExit("live benchmarks need redis-server: apt-get install -y redis-server")
    redis_port = free_port()
    redis = subprocess.Popen(
        [
            redis_binary,
            "--bind",
            "127.0.0.1",
            "--port",
            str(redis_port),
            "--save",
            "",
            "--appendonly",
            "no",
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert redis.stdout is not None
    for line in redis.stdout:
        if "Ready to accept connections" in line:
            break
    redis_url = f"redis://127.0.0.1:{redis_port}/0"
    settings.BITCACHE_LIVE_REDIS_URL = redis_url

    port = free_port()
    # As in production (bitcache.settings.production): a pool of 10 database connections.
    env = {**os.environ, "BITCACHE_LIVE_REDIS_URL": redis_url, "BITCACHE_DB_POOL_SIZE": "10"}
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "uvicorn",
            "bitcache.asgi:application",
            "--port",
            str(port),
            "--workers",
            "1",
            "--log-level",
            "warning",
            "--backlog",
            "4096",
            "--limit-concurrency",
            str(connections + 100),
        ],
        cwd=ROOT,
        env=env,
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise SystemExit("uvicorn did not start") from None
                time.sleep(0.2)
        yield port, server
    finally:
        for process in (server, redis):
            process.terminate()
            try:
                process.wait(30)
            except subprocess.TimeoutExpired:
                process.kill()  # thousands of open streams can outlast a polite stop


def main() -> str:
    setup_django()
    from bitcache.celery_app import app
    from chain.simulated import SimulatedChain
    from live.fanout import HEARTBEAT_SECONDS
    from payments.services import tip_create
    from payments.tasks import watch_chain, watch_mempool
    from tests.factories import CreatorFactory

    app.conf.task_always_eager = True  # the outbox dispatch runs inline (see bench_latency)
    chain = SimulatedChain.from_settings()
    chain.ensure_genesis()
    watch_chain()

    # Ten creators with ten open tips each: within the open-tip cap and the gap limit.
    creators = [CreatorFactory(handle=f"livebench{n}", verified=True) for n in range(TIPS // 10)]
    tips = [tip_create(creator=c, amount_sats=5000) for c in creators for _ in range(10)]
    tip_ids = [tip.public_id for tip in tips]

    with live_site(CONNECTIONS + 2 * FAN_OUT) as (port, server):

        async def idle() -> tuple[int, int, float]:
            before = rss_kb(server.pid)
            started = time.perf_counter()
            streams = await open_many(port, tip_ids, CONNECTIONS)
            opened = time.perf_counter() - started
            after = rss_kb(server.pid)
            # Hold them through a whole poll period: every stream must get its heartbeat
            # (the polls without news of 5,000 streams of 100 tips share 100 reads).
            cpu_before, held_from = cpu_seconds(server.pid), time.perf_counter()
            await asyncio.wait_for(
                asyncio.gather(*(reader.readuntil(b": heartbeat") for reader, _ in streams)),
                HEARTBEAT_SECONDS * 3,
            )
            cpu_share = (cpu_seconds(server.pid) - cpu_before) / (time.perf_counter() - held_from)
            for _, writer in streams:
                writer.close()
            return before, after, opened, cpu_share

        before, after, opened, cpu_share = asyncio.run(idle())

        def payer(tip):
            def pay() -> None:
                chain.send([(tip.address.address, tip.amount_sats)])
                watch_mempool()

            return pay

        fan_out_seconds = asyncio.run(fan_out(port, tip_ids[0], payer(tips[0])))
        polled_seconds, poll_rate = asyncio.run(fan_out_polled(port, tip_ids[1], payer(tips[1])))

    per_connection = (after - before) / CONNECTIONS
    rows: list[list[object]] = [
        ("idle SSE connections held by one uvicorn worker", f"{CONNECTIONS:,}"),
        ("time to open them all (each reads its tip once)", f"{opened:.1f} s"),
        ("worker memory before / after", f"{before / 1024:.0f} MiB / {after / 1024:.0f} MiB"),
        ("memory per idle connection", f"{per_connection:.1f} KiB"),
        ("worker CPU while holding them, until each got a heartbeat", f"{cpu_share:.0%} of a core"),
        (
            f"a payment's report -> the last of {FAN_OUT:,} streams of its tip shows it",
            f"{fan_out_seconds * 1000:.0f} ms",
        ),
        (
            f"baseline: the last of {FAN_OUT:,} viewers polling status.json every "
            f"{POLL_SECONDS:.0f} s sees it",
            f"{polled_seconds * 1000:.0f} ms ({poll_rate:,.0f} requests/s of polling)",
        ),
        ("pushed / polled fan-out time", f"{fan_out_seconds / polled_seconds:.2f}"),
    ]
    return "### Live streams (bench_live)\n\n" + table(["measure", "value"], rows)


if __name__ == "__main__":
    print(main())
