"""What /healthz reports: can we reach what money depends on?"""

from __future__ import annotations

import logging
from typing import Any

from django.core.cache import cache
from django.db import connection

from bitcache.celery_app import app as celery_app
from chain.health import check_chain_source
from web.outages import CACHE_ERRORS

log = logging.getLogger(__name__)

CACHE_CHECK_KEY = "health:cache"


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
