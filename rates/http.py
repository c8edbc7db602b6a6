"""Fetching JSON from a rate provider: bounded in time and size, errors that name the host.

The chain sources' client (chain/http.py) keeps connections alive, retries with
backoff and hides credentials; rates need none of that: a handful of GETs to fixed
public hosts every few minutes, where a failure is simply a provider that did not
answer this round (the next refresh is the retry). So this is a small client of
its own rather than an import sideways into chain, which sits on the same layer.
"""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.request
from decimal import Decimal
from typing import Any
from urllib.parse import urlsplit

# A ticker answer is a few kilobytes; Coinbase's full exchange-rate table about 10 KB.
MAX_RESPONSE_BYTES = 1024 * 1024
_CHUNK = 16 * 1024


class RateProviderError(Exception):
    """The provider did not answer usefully this time (unreachable, slow, an error, garbage)."""


def get_json(url: str, *, timeout: float, label: str) -> Any:
    """GET `url` and decode its JSON, numbers with a fraction as exact Decimals.

    `timeout` bounds connecting and each wait for data; the whole exchange may
    take at most twice that, so a server dripping bytes cannot hold a worker.
    """
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https"):
        raise RateProviderError(f"{label}: only http(s) URLs are fetched")
    where = f"{label} at {parts.hostname}"
    request = urllib.request.Request(  # noqa: S310 - the scheme is checked above
        url, headers={"Accept": "application/json", "User-Agent": "bitcache"}
    )
    deadline = time.monotonic() + 2 * timeout
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310
            body = _read_capped(response, deadline, where)
    except urllib.error.HTTPError as exc:
        raise RateProviderError(f"{where}: answered HTTP {exc.code}") from None
    except TimeoutError:
        raise RateProviderError(f"{where}: no answer within {timeout:g}s") from None
    except urllib.error.URLError as exc:
        raise RateProviderError(f"{where}: {exc.reason}") from None
    except OSError as exc:
        raise RateProviderError(f"{where}: {type(exc).__name__}: {exc}") from None
    try:
        return json.loads(body, parse_float=Decimal, parse_constant=_refuse_constant)
    except (ValueError, RecursionError):
        raise RateProviderError(f"{where}: the answer is not JSON") from None


def _read_capped(response: Any, deadline: float, where: str) -> bytes:
    chunks: list[bytes] = []
    size = 0
    while chunk := response.read1(_CHUNK):
        size += len(chunk)
        if size > MAX_RESPONSE_BYTES:
            raise RateProviderError(f"{where}: answer over {MAX_RESPONSE_BYTES} bytes")
        if time.monotonic() > deadline:
            raise RateProviderError(f"{where}: answer not complete in time")
        chunks.append(chunk)
    return b"".join(chunks)


def _refuse_constant(name: str) -> Any:
    raise ValueError(f"JSON has {name}, which is not a number")
