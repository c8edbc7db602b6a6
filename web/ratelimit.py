"""A small sliding-window rate limiter on Django's default cache.

With Redis as the cache (CACHE_URL) the counts are shared by every web process;
with the default local-memory cache each process counts on its own, which still
stops one client hammering one process.
"""

from __future__ import annotations

import ipaddress
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


def client_network(request: HttpRequest) -> str:
    """Who is asking, for limits and caps: the client's IPv4 address, or its IPv6 /64.

    One IPv6 subscriber usually gets a whole /64 (2^64 addresses to rotate through), so
    counting single IPv6 addresses would count nothing.
    """
    ip = client_ip(request)
    try:
        address = ipaddress.ip_address(ip)
    except ValueError:
        return ip
    if isinstance(address, ipaddress.IPv6Address):
        if address.ipv4_mapped is not None:
            return str(address.ipv4_mapped)
        return str(ipaddress.IPv6Network((address, 64), strict=False))
    return str(address)


def hit(scope: str, key: str, *, limit: int, period: int = 60) -> bool:
    """Count one request for `key`; True when it is over `limit` in the last `period` seconds.

    A sliding window: the current fixed window's count plus the previous one's, weighted
    by how much of it still lies within the last `period`. A fixed window alone lets a
    client send `limit` requests just before a boundary and `limit` more just after.

    Fails open: while the cache is down nothing is over the limit. Refusing every tip
    for the length of a Redis outage would hurt every viewer to slow down a few; what
    a flood could exhaust is still bounded without the cache (open tips per creator,
    BITCACHE_MAX_OPEN_TIPS_PER_CREATOR, are counted in the database).
    """
    window, elapsed = divmod(time.time(), period)
    cache_key = f"ratelimit:{scope}:{key}:{int(window)}"
    previous_key = f"ratelimit:{scope}:{key}:{int(window) - 1}"
    try:
        # add() is a no-op if the counter exists; incr() is atomic on Redis and memcached.
        # Kept two periods: the next window weighs it as its previous one.
        cache.add(cache_key, 0, timeout=2 * period + 1)
        try:
            count = cache.incr(cache_key)
        except ValueError:  # evicted between add() and incr()
            cache.set(cache_key, 1, timeout=2 * period + 1)
            count = 1
        previous = cache.get(previous_key) or 0
    except CACHE_ERRORS as exc:
        cache_failed("rate limits", exc)
        return False
    cache_answered("rate limits")
    return count + previous * (1 - elapsed / period) > limit


def retry_after(period: int = 60) -> int:
    """Seconds to wait before trying again, for a Retry-After header: with a sliding
    window, a whole period lets the requests that went over it age out."""
    return period
