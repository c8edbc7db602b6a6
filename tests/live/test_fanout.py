"""Fan-out through Redis: a tip event committed in one process wakes the connections
streaming that tip in every other web process. Against a redis-server the test starts
on 127.0.0.1 (skipped without the binary)."""

from __future__ import annotations

import shutil
import socket
import subprocess
import threading
from collections.abc import Iterator

import pytest

from live import fanout
from live.fanout import Hub, stream_publish

STUCK = 30  # a missing wake-up fails the test instead of hanging it


@pytest.fixture
def redis_url() -> Iterator[str]:
    binary = shutil.which("redis-server")
    if binary is None:
        pytest.skip("redis-server is not installed")
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    server = subprocess.Popen(
        [binary, "--bind", "127.0.0.1", "--port", str(port), "--save", "", "--appendonly", "no"],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert server.stdout is not None
    for line in server.stdout:  # its own words, not a clock, say when it is ready
        if "Ready to accept connections" in line:
            break
    yield f"redis://127.0.0.1:{port}/9"
    server.terminate()
    server.wait(STUCK)


def test_a_publish_in_one_process_wakes_the_streams_of_another(redis_url, settings, monkeypatch):
    settings.BITCACHE_LIVE_REDIS_URL = redis_url
    monkeypatch.setattr(fanout, "_publisher", None)
    other_process = Hub()  # another web process: it hears only what comes through Redis
    woken = threading.Event()
    other_process.subscribe("tip-a", woken.set)
    try:
        assert other_process.listening.wait(STUCK)
        assert other_process.poll_seconds() == fanout.HEARTBEAT_SECONDS  # pushed: rare reads

        stream_publish("tip-a")  # what the outbox consumer does after its commit

        assert woken.wait(STUCK)
    finally:
        other_process.stop()


def test_only_the_streams_of_that_tip_are_woken(redis_url, settings, monkeypatch):
    settings.BITCACHE_LIVE_REDIS_URL = redis_url
    monkeypatch.setattr(fanout, "_publisher", None)
    other_process = Hub()
    tip_a, tip_b = threading.Event(), threading.Event()
    other_process.subscribe("tip-a", tip_a.set)
    other_process.subscribe("tip-b", tip_b.set)
    try:
        assert other_process.listening.wait(STUCK)
        stream_publish("tip-b")
        assert tip_b.wait(STUCK)
        assert not tip_a.is_set()
    finally:
        other_process.stop()


def test_without_redis_streams_read_their_table_every_second(settings):
    settings.BITCACHE_LIVE_REDIS_URL = ""
    hub = Hub()
    hub.subscribe("tip-a", lambda: None)
    assert not hub.listening.is_set()
    assert hub.poll_seconds() == fanout.FALLBACK_POLL_SECONDS
