"""Is the chain source answering, and how far behind is the scanner? For /healthz and staff."""

from __future__ import annotations

import logging
import time
from typing import Any

from django.core.cache import cache
from django.core.exceptions import ImproperlyConfigured

from chain import ChainSourceError, get_chain_source
from chain.models import ChainState
from web.outages import CACHE_ERRORS

log = logging.getLogger(__name__)

CHAIN_CHECK_SECONDS = 15
CHAIN_CHECK_CACHE_KEY = "health:chain-source"
# Used instead of the shared cache while it is down: (monotonic time, answer).
_last_chain_check: tuple[float, dict[str, Any]] | None = None


def check_chain_source() -> dict[str, Any]:
    """Whether the chain source answers, its tip and how far the scanner lags behind.

    The answer is kept for CHAIN_CHECK_SECONDS: /healthz is public, and each live check
    is a request to the chain source (up to its timeout and retries when it is down).
    """
    try:
        cached = cache.get(CHAIN_CHECK_CACHE_KEY)
        if cached is None:
            cached = _check_chain_source()
            cache.set(CHAIN_CHECK_CACHE_KEY, cached, CHAIN_CHECK_SECONDS)
    except CACHE_ERRORS:
        # The cache being down is reported by check_cache; the chain source is still
        # spared, by this process's own memory.
        return _check_chain_source_remembered()
    return cached


def _check_chain_source_remembered() -> dict[str, Any]:
    global _last_chain_check
    now = time.monotonic()
    if _last_chain_check is None or now - _last_chain_check[0] >= CHAIN_CHECK_SECONDS:
        _last_chain_check = (now, _check_chain_source())
    return _last_chain_check[1]


def _check_chain_source() -> dict[str, Any]:
    try:
        source = get_chain_source()
        tip = source.tip()
    except (ChainSourceError, ImproperlyConfigured) as exc:
        log.warning("health: chain source unavailable: %s", exc)
        return {"ok": False, "error": str(exc)}
    scanned = ChainState.load().height
    return {
        "ok": True,
        "source": source.name,
        "tip_height": tip.height,
        "scanned_height": scanned,
        "lag_blocks": None if scanned is None else max(tip.height - scanned, 0),
    }
