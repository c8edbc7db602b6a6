"""When a service the site leans on is down: which errors say so, and logging them once.

The cache (Redis with CACHE_URL) only makes things faster or fairer; each use decides
whether to carry on without it (see web.ratelimit, widgets.page_cache). The
database is needed for nearly everything: its outages get the "try again in a
minute" page (bitcache.views.server_error).
"""

from __future__ import annotations

import logging

from django.db import InterfaceError, OperationalError

log = logging.getLogger(__name__)

try:
    from redis import RedisError
except ImportError:  # pragma: no cover - redis is a dependency, but the cache may be memcached
    RedisError = OSError  # type: ignore[misc, assignment]

# Cache backends raise their client library's errors (redis-py's are not OSErrors).
CACHE_ERRORS: tuple[type[Exception], ...] = (RedisError, OSError)
DATABASE_ERRORS: tuple[type[Exception], ...] = (OperationalError, InterfaceError)
OUTAGE_ERRORS = CACHE_ERRORS + DATABASE_ERRORS

_failing: set[str] = set()


def cache_failed(use: str, exc: Exception) -> None:
    """Log that the cache failed `use`, once per outage (not once per request)."""
    if use not in _failing:
        _failing.add(use)
        log.warning("cache unavailable, %s carries on without it: %r", use, exc)


def cache_answered(use: str) -> None:
    if use in _failing:
        _failing.discard(use)
        log.warning("cache available again for %s", use)
