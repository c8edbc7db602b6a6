"""Embedding origins become CSP sources: nothing a creator types may widen the policy."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from hypothesis import given
from hypothesis import strategies as st

from widgets.origins import MAX_ORIGINS, normalize_origin, normalize_origins


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
