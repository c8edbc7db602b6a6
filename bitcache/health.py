"""What /healthz reports: can we reach what money depends on?"""

from __future__ import annotations

import logging
from typing import Any

from django.db import connection

from bitcache.celery_app import app as celery_app

log = logging.getLogger(__name__)


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


def check_chain_source() -> dict[str, Any]:
    from django.core.exceptions import ImproperlyConfigured

    from payments.chain import ChainSourceError, get_chain_source
    from payments.models import ChainState

    try:
        source = get_chain_source()
        tip = source.tip()
    except (ChainSourceError, ImproperlyConfigured) as exc:
        return {"ok": False, "error": str(exc)}
    scanned = ChainState.load().height
    return {
        "ok": True,
        "source": source.name,
        "tip_height": tip.height,
        "scanned_height": scanned,
        "lag_blocks": None if scanned is None else max(tip.height - scanned, 0),
    }


def health_report() -> tuple[bool, dict[str, Any]]:
    report = {
        "database": check_database(),
        "broker": check_broker(),
    }
    report["chain_source"] = (
        check_chain_source()
        if report["database"]["ok"]
        else {"ok": False, "error": "database unavailable"}
    )
    healthy = all(part["ok"] for part in report.values())
    return healthy, report
