"""A small fixed-window rate limiter on Django's default cache.

With Redis as the cache (CACHE_URL) the counts are shared by every web process;
with the default local-memory cache each process counts on its own, which still
stops one client hammering one process.
"""

from __future__ import annotations

import time

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest

from web.outages import CACHE_ERRORS, cache_answered, cache_failed


def client_ip(request: HttpRequest) -> str:
    """The client's address, as seen by the first of our own reverse proxies.

    X-Forwarded-For is whatever the client says, except for the entries our own
    proxies appended: with BITCACHE_TRUSTED_PROXIES = n, the n-th address from the
    right is the one the outermost proxy saw. Without proxies, REMOTE_ADDR.
    """
    proxies = settings.BITCACHE_TRUSTED_PROXIES
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    if proxies and forwarded:
        hops = [hop.strip() for hop in forwarded.split(",") if hop.strip()]
        if len(hops) >= proxies:
            return hops[-proxies]
    return request.META.get("REMOTE_ADDR", "")


def hit(scope: str, key: str, *, limit: int, period: int = 60) -> bool:
    """Count one request for `key`; True when it is over `limit` in the current `period`.

    Fails open: while the cache is down nothing is over the limit. Refusing every tip
    for the length of a Redis outage would hurt every viewer to slow down a few; what
    a flood could exhaust is still bounded without the cache (open tips per creator,
    BITCACHE_MAX_OPEN_TIPS_PER_CREATOR, are counted in the database).
    """
    window = int(time.time() // period)
    cache_key = f"ratelimit:{scope}:{key}:{window}"
    try:
        # add() is a no-op if the counter exists; incr() is atomic on Redis and memcached.
        cache.add(cache_key, 0, timeout=period + 1)
        try:
            count = cache.incr(cache_key)
        except ValueError:  # evicted between add() and incr()
            cache.set(cache_key, 1, timeout=period + 1)
            count = 1
    except CACHE_ERRORS as exc:
        cache_failed("rate limits", exc)
        return False
    cache_answered("rate limits")
    return count > limit


def retry_after(period: int = 60) -> int:
    """Seconds until the current window ends, for a Retry-After header."""
    return period - int(time.time()) % period
