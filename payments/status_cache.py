"""status.json's small per-tip cache entry: what a payment screen polls every few seconds.

The entry holds what tip_public_status shows, plus the facts its time- and chain-dependent
parts are recomputed from on every read (the stored status and expiry, the state and
height of each live payment), so an entry stays right while the clock and the chain
move on:

- it is dropped when the tip's status, totals or payments change (tip_refresh: at
  once, and again once its transaction commits), and re-read from the database at
  the next poll;
- it lives at most entry_seconds() (30 s in a shared cache, 2 s in a per-process one,
  whose other processes, the watcher's among them, cannot drop it), which bounds the
  one race left: a poll that read the database just before a change committed and
  stores the old facts after it;
- the scanned height is shared by every entry, dropped when the watcher moves it and
  kept HEIGHT_SECONDS at most;
- each web process keeps what it read for LOCAL_SECONDS (a poll then costs no round
  trip to Redis): a change made in another process shows at most that much later.
  The answer itself may be reused by browsers and CDNs for 3 seconds anyway
  (widgets.views.STATUS_MAX_AGE).

A cache outage is never an error: a read or write that fails is logged once per outage
(web.outages) and the answer comes from the database, as without a cache.
"""

from __future__ import annotations

import time
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db import transaction

from chain.models import ChainState
from payments.models import Tip
from web.outages import CACHE_ERRORS, cache_answered, cache_failed

SHARED_ENTRY_SECONDS = 30
LOCAL_ENTRY_SECONDS = 2
HEIGHT_SECONDS = 2
LOCAL_SECONDS = 1.0
LOCAL_MAX_ENTRIES = 10_000
_HEIGHT_KEY = "chain:scanned-height:1"
_NO_HEIGHT = "none"
_USE = "status.json"

# This process's copies: key -> (monotonic expiry, value).
_local: dict[str, tuple[float, Any]] = {}


def entry_key(public_id: str) -> str:
    return f"tip-status:1:{public_id}"


def entry_seconds() -> int:
    backend = settings.CACHES["default"]["BACKEND"]
    per_process = backend.endswith(("LocMemCache", "DummyCache"))
    return LOCAL_ENTRY_SECONDS if per_process else SHARED_ENTRY_SECONDS


def _local_get(key: str) -> Any:
    found = _local.get(key)
    if found is None or found[0] <= time.monotonic():
        return None
    return found[1]


def _local_put(key: str, value: Any) -> None:
    if len(_local) >= LOCAL_MAX_ENTRIES:
        _local.clear()
    _local[key] = (time.monotonic() + LOCAL_SECONDS, value)


def cache_set(key: str, value: Any, seconds: int) -> None:
    _local_put(key, value)
    try:
        cache.set(key, value, seconds)
    except CACHE_ERRORS as exc:
        cache_failed(_USE, exc)


def _cache_delete(key: str) -> None:
    _local.pop(key, None)
    try:
        cache.delete(key)
    except CACHE_ERRORS as exc:
        # Left to expire (entry_seconds): the cache is down, so nobody reads it meanwhile.
        cache_failed(_USE, exc)


def _forget(key: str) -> None:
    _cache_delete(key)
    transaction.on_commit(lambda: _cache_delete(key))


def tip_status_forget(tip: Tip) -> None:
    """The tip's status, totals or payments may have changed: its entry goes now and
    again once the change commits (a poll in between stored the facts before it)."""
    _forget(entry_key(tip.public_id))


def scanned_height_forget() -> None:
    """The watcher moved the scanned height: the shared copy goes (see tip_status_forget)."""
    _forget(_HEIGHT_KEY)


def entry_and_height(public_id: str) -> tuple[Any, Any]:
    """The tip's entry and the shared scanned height as cached (None when missing): from
    this process's copies, else in one round trip. Pass the height to scanned_height."""
    key = entry_key(public_id)
    entry, height = _local_get(key), _local_get(_HEIGHT_KEY)
    if entry is not None and height is not None:
        return entry, height
    try:
        found = cache.get_many([key, _HEIGHT_KEY])
    except CACHE_ERRORS as exc:
        cache_failed(_USE, exc)
        return None, None
    cache_answered(_USE)
    for name, value in found.items():
        _local_put(name, value)
    return found.get(key), found.get(_HEIGHT_KEY)


def scanned_height(cached: Any = None) -> int | None:
    """The chain height the watcher has scanned to, read from the database at most once
    every HEIGHT_SECONDS per cache. `cached`: the value entry_and_height found."""
    if cached is None:
        cached = _local_get(_HEIGHT_KEY)
    if cached is None:
        try:
            cached = cache.get(_HEIGHT_KEY)
        except CACHE_ERRORS as exc:
            cache_failed(_USE, exc)
    if cached is not None:
        return None if cached == _NO_HEIGHT else int(cached)
    fresh = ChainState.load().height
    cache_set(_HEIGHT_KEY, _NO_HEIGHT if fresh is None else fresh, HEIGHT_SECONDS)
    return fresh


def local_clear() -> None:
    """Forget this process's copies (as Django's cache.clear() forgets the rest)."""
    _local.clear()
