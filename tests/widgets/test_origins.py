"""Embedding origins become CSP sources: nothing a creator types may widen the policy."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from hypothesis import given
from hypothesis import strategies as st

from widgets.origins import (
    MAX_ORIGINS,
    normalize_origin,
    normalize_origins,
    origin_allowed,
    origin_of,
)


@pytest.mark.parametrize(
    ("typed", "origin"),
    [
        ("https://blog.example", "https://blog.example"),
        (" HTTPS://Blog.Example/ ", "https://blog.example"),
        ("https://blog.example:8443", "https://blog.example:8443"),
        ("https://*.tube.example", "https://*.tube.example"),
        ("http://localhost:3000", "http://localhost:3000"),
        ("http://127.0.0.1", "http://127.0.0.1"),
    ],
)
def test_it_accepts_and_normalises_an_origin(typed, origin):
    assert normalize_origin(typed) == origin


def test_it_drops_duplicates_and_blank_lines():
    assert normalize_origins(["https://a.example", "", "https://A.example/"]) == [
        "https://a.example"
    ]


def test_it_refuses_too_many_origins():
    with pytest.raises(ValidationError):
        normalize_origins([f"https://site{n}.example" for n in range(MAX_ORIGINS + 1)])


@given(st.text(max_size=60))
def test_whatever_it_accepts_is_a_single_plain_source(text):
    try:
        origin = normalize_origin(text)
    except ValidationError:
        return
    assert origin.startswith(("https://", "http://localhost", "http://127.0.0.1", "http://[::1]"))
    assert not set(origin) & set(" \t\n;,'\"")
    assert origin.count("/") == 2


@pytest.mark.parametrize(
    ("origin", "allowed"),
    [
        ("https://blog.example", True),
        ("https://blog.example:443", True),
        ("http://blog.example", False),
        ("https://blog.example:8443", False),
        ("https://evil-blog.example", False),
        ("https://www.shop.example", True),
        ("https://a.b.shop.example", True),
        ("https://shop.example", False),
        ("http://localhost:8080", True),
        ("http://localhost:8081", False),
    ],
)
def test_it_tells_whether_a_site_is_among_the_allowed_origins(origin, allowed):
    sources = ["https://blog.example", "https://*.shop.example", "http://localhost:8080"]

    assert origin_allowed(origin, sources) is allowed


@pytest.mark.parametrize(
    ("url", "origin"),
    [
        ("https://Blog.Example/post/1?x=y#z", "https://blog.example"),
        ("https://user:pw@blog.example:443/", "https://blog.example"),
        ("http://127.0.0.1:8000/page", "http://127.0.0.1:8000"),
        ("data:text/html,hi", None),
        ("not a url", None),
        ("https://blog.example:99999/", None),
    ],
)
def test_it_keeps_only_the_origin_of_a_url(url, origin):
    assert origin_of(url) == origin
