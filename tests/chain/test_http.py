"""The HTTP client under the chain sources: timeouts, retries, size cap, safe messages."""

from __future__ import annotations

import socket
import time

import pytest

from chain import ChainSourceError
from chain.http import Endpoint, HttpClient, RetryPolicy, Timeouts

from .servers import LocalServer, Reply, text

FAST_RETRIES = RetryPolicy(attempts=3, base_delay=0.01, max_delay=0.02)


def client_for(url: str, *, timeout: float = 2.0, **options: int) -> HttpClient:
    return HttpClient(
        Endpoint.parse(url),
        label="test source",
        timeouts=Timeouts.from_seconds(timeout),
        retry=FAST_RETRIES,
        **options,
    )


@pytest.fixture
def server():
    with LocalServer(lambda request: text("ok")) as running:
        yield running


def test_it_retries_transient_failures_then_succeeds(server: LocalServer) -> None:
    server.fail_next(Reply(503), Reply(502))

    response = client_for(server.url).request("GET", "/x")

    assert response.body == b"ok"
    assert len(server.requests) == 3


def test_it_retries_a_rate_limit(server: LocalServer) -> None:
    server.fail_next(Reply(429))

    assert client_for(server.url).request("GET", "/x").body == b"ok"


def test_it_gives_up_after_a_bounded_number_of_attempts(server: LocalServer) -> None:
    server.fail_next(*[Reply(503)] * 5)

    with pytest.raises(ChainSourceError, match=r"HTTP 503.*gave up after 3 attempts"):
        client_for(server.url).request("GET", "/x")
    assert len(server.requests) == 3


def test_a_client_error_is_not_retried(server: LocalServer) -> None:
    server.fail_next(Reply(400))

    with pytest.raises(ChainSourceError, match="HTTP 400"):
        client_for(server.url).request("GET", "/x")
    assert len(server.requests) == 1


def test_a_server_slower_than_the_read_timeout_fails_in_bounded_time(server: LocalServer) -> None:
    server.fail_next(*[Reply(200, b"late", delay=3)] * 3)
    client = client_for(server.url, timeout=0.2)

    started = time.monotonic()
    with pytest.raises(ChainSourceError, match=r"no answer within 0\.2s"):
        client.request("GET", "/x")

    assert time.monotonic() - started < 1.5  # three attempts of 0.2 s plus short pauses


def test_a_server_dripping_its_answer_is_cut_off_at_the_deadline(server: LocalServer) -> None:
    # Each byte comes well within the read timeout; the whole answer would take 20 s.
    server.fail_next(*[Reply(200, b"x" * 200, drip=0.1)] * 3)
    client = client_for(server.url, timeout=0.3)

    started = time.monotonic()
    with pytest.raises(ChainSourceError, match=r"not complete within 0\.9s"):
        client.request("GET", "/x")

    assert time.monotonic() - started < 5


def test_an_unreachable_host_fails_fast_with_a_clear_message() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]  # nothing listens here once closed

    with pytest.raises(
        ChainSourceError, match=f"test source at 127.0.0.1:{port}: connection refused"
    ):
        client_for(f"http://127.0.0.1:{port}").request("GET", "/x")


def test_an_oversized_answer_is_refused(server: LocalServer) -> None:
    server.fail_next(Reply(200, b"x" * 2000))

    with pytest.raises(ChainSourceError, match="too large"):
        client_for(server.url, max_response_bytes=1000).request("GET", "/x")
    assert len(server.requests) == 1


def test_an_answer_cut_short_is_retried(server: LocalServer) -> None:
    server.fail_next(Reply(200, b"x" * 100, cut_after=10))

    assert client_for(server.url).request("GET", "/x").body == b"ok"
    assert len(server.requests) == 2


def test_it_reuses_one_connection_for_several_requests(server: LocalServer) -> None:
    client = client_for(server.url)

    for _ in range(3):
        client.request("GET", "/x")

    assert len({request.client_port for request in server.requests}) == 1


def test_it_reconnects_when_the_server_closed_a_kept_alive_connection(server: LocalServer) -> None:
    client = client_for(server.url)
    client.request("GET", "/x")
    server.close_connections()

    assert client.request("GET", "/y").body == b"ok"
    assert server.paths() == ["/x", "/y"]


def test_it_reads_an_answer_that_ends_the_connection(server: LocalServer) -> None:
    server.fail_next(Reply(200, b"bye", headers={"Connection": "close"}))
    client = client_for(server.url)

    assert client.request("GET", "/x").body == b"bye"
    assert client.request("GET", "/y").body == b"ok"
    assert server.requests[0].client_port != server.requests[1].client_port


def test_messages_name_the_host_but_never_credentials_or_the_base_path(server: LocalServer) -> None:
    host_and_port = server.url.removeprefix("http://")
    server.fail_next(*[Reply(503)] * 3)
    client = client_for(f"http://alice:hunter2@{host_and_port}/api-key-123")

    with pytest.raises(ChainSourceError) as failure:
        client.request("GET", "/blocks/tip/hash")

    message = str(failure.value)
    assert host_and_port in message
    assert "/blocks/tip/hash" in message
    for secret in ("alice", "hunter2", "api-key-123"):
        assert secret not in message
    assert server.requests[0].path == "/api-key-123/blocks/tip/hash"
    assert server.requests[0].headers["Authorization"] == "Basic YWxpY2U6aHVudGVyMg=="


@pytest.mark.parametrize(
    "url",
    ["ftp://127.0.0.1", "http://", "http://127.0.0.1:99999", "http://127.0.0.1/?key=1"],
)
def test_a_bad_url_is_refused_without_echoing_it(url: str) -> None:
    with pytest.raises(ValueError) as failure:
        Endpoint.parse(url)
    assert url not in str(failure.value)


def test_retry_pauses_double_with_jitter_up_to_a_ceiling() -> None:
    policy = RetryPolicy(attempts=8, base_delay=0.5, max_delay=4.0)

    for failures, ceiling in [(1, 0.5), (2, 1.0), (3, 2.0), (4, 4.0), (7, 4.0)]:
        pauses = {policy.delay(failures) for _ in range(50)}
        assert all(ceiling / 2 <= pause <= ceiling for pause in pauses)
        assert len(pauses) > 1  # jittered, so workers that failed together spread out
