"""status.json's small per-tip cache entry: what a payment screen polls every few seconds.

The entry holds what tip_public_status shows, plus the facts its time- and chain-dependent
parts are recomputed from on every read (the stored status and expiry, the heights of
the live payments), so an entry stays right while the clock and the chain move on:

- it is dropped when the tip's status, totals or payments change (tip_refresh: at
  once, and again once its transaction commits), and re-read from the database at
  the next poll;
- it also lives at most ENTRY_SECONDS, which bounds the one race left: a poll that
  read the database just before a change committed and stores the old facts after;
- the scanned height is shared by every entry, cached for HEIGHT_SECONDS (the answer
  itself may be reused by browsers and CDNs for 3 seconds: widgets.views.STATUS_MAX_AGE).

A cache outage is never an error: every read or write that fails is logged and the
answer comes from the database, as without a cache.
"""

from __future__ import annotations

import logging
from typing import Any

from django.core.cache import cache
from django.db import transaction

from chain.models import ChainState
from payments.models import Tip

log = logging.getLogger(__name__)

ENTRY_SECONDS = 30
HEIGHT_SECONDS = 2
_HEIGHT_KEY = "chain:scanned-height:1"
_NO_HEIGHT = "none"


def entry_key(public_id: str) -> str:
    return f"tip-status:1:{public_id}"


def cache_get(key: str) -> Any:
    try:
        return cache.get(key)
    except Exception:
        log.warning("cache unavailable: reading %s from the database", key, exc_info=True)
        return None


def cache_set(key: str, value: Any, seconds: int) -> None:
    try:
        cache.set(key, value, seconds)
    except Exception:
        log.warning("cache unavailable: %s not stored", key, exc_info=True)


def _cache_delete(key: str) -> None:
    try:
        cache.delete(key)
    except Exception:
        # Left to expire (ENTRY_SECONDS): the cache is down, so nobody reads it meanwhile.
        log.warning("cache unavailable: %s not dropped", key, exc_info=True)


def tip_status_forget(tip: Tip) -> None:
    """The tip's status, totals or payments may have changed: its entry goes now and
    again once the change commits (a poll in between stored the facts before it)."""
    _forget(entry_key(tip.public_id))


def _forget(key: str) -> None:
    _cache_delete(key)
    transaction.on_commit(lambda: _cache_delete(key))


def entry_and_height(public_id: str) -> tuple[Any, Any]:
    """The tip's entry and the shared scanned height as cached (None when missing), in
    one round trip; pass the height to scanned_height."""
    try:
        found = cache.get_many([entry_key(public_id), _HEIGHT_KEY])
    except Exception:
        log.warning("cache unavailable: reading tip %s from the database", public_id, exc_info=True)
        return None, None
    return found.get(entry_key(public_id)), found.get(_HEIGHT_KEY)


def scanned_height(cached: Any = None) -> int | None:
    """The chain height the watcher has scanned to, read from the database at most once
    every HEIGHT_SECONDS per cache. `cached`: the value entry_and_height found."""
    height = cached if cached is not None else cache_get(_HEIGHT_KEY)
    if height is not None:
        return None if height == _NO_HEIGHT else int(height)
    fresh = ChainState.load().height
    cache_set(_HEIGHT_KEY, _NO_HEIGHT if fresh is None else fresh, HEIGHT_SECONDS)
    return fresh


def scanned_height_forget() -> None:
    """The watcher moved the scanned height: the shared copy goes (see tip_status_forget)."""
    _forget(_HEIGHT_KEY)
