"""get_json, the SSRF-guarded fetch of an LNURL service's answer.

A real server on 127.0.0.1 (tests.json_server): the guard resolves, checks and connects
as it would to a provider on the internet; the test settings allow loopback over http.
"""

from __future__ import annotations

import pytest
from django.test import override_settings

from tests.json_server import Answer, json_server
from web import outgoing
from web.outgoing import OutgoingError, get_json


@pytest.fixture
def server():
    with json_server() as server:
        yield server


def test_it_fetches_and_parses_a_json_answer(server):
    server.routes["/.well-known/lnurlp/alice"] = Answer.json({"tag": "payRequest"})

    answer = get_json(server.url("/.well-known/lnurlp/alice"), timeout=2, max_bytes=1000)

    assert answer == {"tag": "payRequest"}


def test_it_refuses_an_answer_larger_than_asked_without_reading_it_all(server):
    server.routes["/big"] = Answer.json({"padding": "x" * 100_000})

    with pytest.raises(OutgoingError, match="larger than 4096 bytes"):
        get_json(server.url("/big"), timeout=2, max_bytes=4096)


def test_it_refuses_an_oversized_answer_that_does_not_say_its_length(server, monkeypatch):
    server.routes["/big"] = Answer.json({"padding": "x" * 100_000})
    # A provider that sends no Content-Length: the cap holds when reading too.
    monkeypatch.setattr(
        outgoing.http.client.HTTPResponse, "getheader", lambda self, name, default=None: default
    )

    with pytest.raises(OutgoingError, match="larger than 4096 bytes"):
        get_json(server.url("/big"), timeout=2, max_bytes=4096)


def test_a_provider_that_never_answers_costs_at_most_the_timeout(server):
    server.routes["/slow"] = Answer(hang=True)

    with pytest.raises(OutgoingError, match=r"no answer within 0.3s"):
        get_json(server.url("/slow"), timeout=0.3, max_bytes=1000)


def test_it_refuses_a_redirect_to_a_private_address(server, monkeypatch):
    server.routes["/.well-known/lnurlp/alice"] = Answer.redirect(
        "http://169.254.169.254/latest/meta-data/"
    )
    connected_to = []
    real_connect = outgoing.socket.create_connection
    monkeypatch.setattr(
        outgoing.socket,
        "create_connection",
        lambda address, *a, **k: connected_to.append(address[0]) or real_connect(address, *a, **k),
    )

    with pytest.raises(OutgoingError, match="may not reach"):
        get_json(server.url("/.well-known/lnurlp/alice"), timeout=2, max_bytes=1000)

    assert connected_to == ["127.0.0.1"]  # never the metadata service


def test_it_follows_a_redirect_to_an_allowed_host(server):
    server.routes["/old"] = Answer.redirect("/new")
    server.routes["/new"] = Answer.json({"moved": True})

    assert get_json(server.url("/old"), timeout=2, max_bytes=1000) == {"moved": True}


def test_it_gives_up_after_a_few_redirects(server):
    server.routes["/loop"] = Answer.redirect("/loop")

    with pytest.raises(OutgoingError, match="too many redirects"):
        get_json(server.url("/loop"), timeout=2, max_bytes=1000)


@override_settings(BITCACHE_LNURL_REQUIRE_HTTPS=True)
def test_plain_http_is_refused_unless_the_settings_allow_it_for_loopback(server):
    server.routes["/x"] = Answer.json({})

    with pytest.raises(OutgoingError, match="not an https URL"):
        get_json(server.url("/x"), timeout=2, max_bytes=1000)


@override_settings(BITCACHE_LNURL_ALLOWED_NETWORKS=[])
def test_loopback_is_refused_unless_the_operator_allows_it(server):
    server.routes["/x"] = Answer.json({})

    with pytest.raises(OutgoingError, match="may not reach"):
        get_json(server.url("/x"), timeout=2, max_bytes=1000)


@override_settings(BITCACHE_LNURL_ALLOWED_NETWORKS=["10.0.0.0/8"])
def test_plain_http_to_an_allowed_lan_address_is_still_refused(monkeypatch):
    def connect(*args, **kwargs):
        raise AssertionError("a connection was attempted")

    monkeypatch.setattr(outgoing.socket, "create_connection", connect)
    with pytest.raises(OutgoingError, match="not an https URL"):
        get_json("http://10.1.2.3:5000/.well-known/lnurlp/alice", timeout=2, max_bytes=1000)


def test_it_refuses_an_answer_that_is_not_json(server):
    server.routes["/html"] = Answer(200, b"<html>hello</html>")

    with pytest.raises(OutgoingError, match="not JSON"):
        get_json(server.url("/html"), timeout=2, max_bytes=1000)


def test_it_refuses_an_error_status(server):
    with pytest.raises(OutgoingError, match="answered HTTP 404"):
        get_json(server.url("/missing"), timeout=2, max_bytes=1000)


@pytest.mark.parametrize(
    "url", ["ftp://127.0.0.1/x", "file:///etc/passwd", "https://user:pw@example.com/x"]
)
def test_it_refuses_urls_it_should_not_fetch(url):
    with pytest.raises(OutgoingError):
        get_json(url, timeout=2, max_bytes=1000)
