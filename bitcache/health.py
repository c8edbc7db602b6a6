"""What /healthz reports: can we reach what money depends on?"""

from __future__ import annotations

import logging
import time
from typing import Any

from django.core.cache import cache
from django.db import connection

from bitcache.celery_app import app as celery_app
from web.outages import CACHE_ERRORS

log = logging.getLogger(__name__)

CHAIN_CHECK_SECONDS = 15
CHAIN_CHECK_CACHE_KEY = "health:chain-source"
CACHE_CHECK_KEY = "health:cache"
# Used instead of the shared cache while it is down: (monotonic time, answer).
_last_chain_check: tuple[float, dict[str, Any]] | None = None


def check_database() -> dict[str, Any]:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as exc:  # any failure means "not healthy"; the reason is reported
        log.warning("health: database unreachable: %s", exc)
        return {"ok": False, "error": type(exc).__name__}
    return {"ok": True, "vendor": connection.vendor}


def check_broker() -> dict[str, Any]:
    try:
        with celery_app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=1, timeout=2)
            transport = conn.transport_cls
    except Exception as exc:
        log.warning("health: broker unreachable: %s", exc)
        return {"ok": False, "error": type(exc).__name__}
    return {"ok": True, "transport": str(transport)}


def check_cache() -> dict[str, Any]:
    try:
        cache.set(CACHE_CHECK_KEY, 1, timeout=5)
        cache.get(CACHE_CHECK_KEY)
    except CACHE_ERRORS as exc:
        log.warning("health: cache unreachable: %s", exc)
        return {"ok": False, "error": type(exc).__name__}
    return {"ok": True}


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
    from django.core.exceptions import ImproperlyConfigured

    from chain import ChainSourceError, get_chain_source
    from chain.models import ChainState

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


def public_report(report: dict[str, Any]) -> dict[str, Any]:
    """The report without error details: those name internal hosts (staff see them on
    /staff/status/, operators in the log)."""
    return {
        name: {key: value for key, value in part.items() if key != "error"}
        | ({} if part["ok"] else {"error": "unavailable"})
        for name, part in report.items()
    }


def health_report() -> tuple[bool, dict[str, Any]]:
    report = {
        "database": check_database(),
        "broker": check_broker(),
        "cache": check_cache(),
    }
    report["chain_source"] = (
        check_chain_source()
        if report["database"]["ok"]
        else {"ok": False, "error": "database unavailable"}
    )
    healthy = all(part["ok"] for part in report.values())
    return healthy, report
