"""Waking the connections that stream a tip, in every web process.

A stream's source of truth is the TipStreamEvent table; a wake-up only tells the
connections of a tip to read it now instead of at their next poll:

- `stream_publish(tip)` (after the event's commit) wakes this process's
  connections at once and PUBLISHes on Redis (`bitcache:live:<tip id>`) when
  BITCACHE_LIVE_REDIS_URL is set (by default CACHE_URL or the Celery broker's
  URL, when either is Redis).
- Each web process runs one listener thread (`hub.listen`), one Redis connection
  subscribed to `bitcache:live:*`, that wakes its own connections of that tip.
- Without Redis (`make run`'s embedded defaults, tests), or while Redis is down,
  connections read the table every FALLBACK_POLL_SECONDS instead: slower, never
  wrong. With Redis they still read it every HEARTBEAT_SECONDS (a missed PUBLISH
  costs at most that).
"""

from __future__ import annotations

import logging
import threading
import time
from collections import defaultdict
from collections.abc import Callable
from typing import Any

from django.conf import settings

log = logging.getLogger(__name__)

CHANNEL_PREFIX = "bitcache:live:"
HEARTBEAT_SECONDS = 15.0
FALLBACK_POLL_SECONDS = 1.0
RECONNECT_SECONDS = 5.0

Wake = Callable[[], None]


class Hub:
    """The connections of this process, by tip public id, and their wake-up calls."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._waiters: dict[str, set[Wake]] = defaultdict(set)
        self._listener: threading.Thread | None = None
        self._pubsub: Any = None
        self._stopped = False
        # Set while the Redis listener is subscribed: pushes reach this process.
        self.listening = threading.Event()

    def subscribe(self, tip_id: str, wake: Wake) -> None:
        with self._lock:
            self._waiters[tip_id].add(wake)
        self._ensure_listener()

    def unsubscribe(self, tip_id: str, wake: Wake) -> None:
        with self._lock:
            waiters = self._waiters.get(tip_id)
            if waiters is not None:
                waiters.discard(wake)
                if not waiters:
                    del self._waiters[tip_id]

    def wake(self, tip_id: str) -> None:
        with self._lock:
            waiters = list(self._waiters.get(tip_id, ()))
        for wake in waiters:
            wake()

    def watched(self, tip_id: str) -> bool:
        with self._lock:
            return tip_id in self._waiters

    def connections(self) -> int:
        with self._lock:
            return sum(len(waiters) for waiters in self._waiters.values())

    def poll_seconds(self) -> float:
        """How long a connection may wait without news before reading the table itself."""
        return HEARTBEAT_SECONDS if self.listening.is_set() else FALLBACK_POLL_SECONDS

    def _ensure_listener(self) -> None:
        url = settings.BITCACHE_LIVE_REDIS_URL
        if not url or self._listener is not None:
            return
        with self._lock:
            if self._listener is None:
                self._listener = threading.Thread(
                    target=self.listen, args=(url,), name="live-redis", daemon=True
                )
                self._listener.start()

    def listen(self, url: str) -> None:
        """Forever: relay Redis messages to this process's connections; reconnect on loss."""
        import redis

        while not self._stopped:
            try:
                client: Any = redis.Redis.from_url(url)
                self._pubsub = pubsub = client.pubsub(ignore_subscribe_messages=True)
                pubsub.psubscribe(CHANNEL_PREFIX + "*")
                self.listening.set()
                for message in pubsub.listen():
                    channel = message["channel"]
                    if isinstance(channel, bytes):
                        channel = channel.decode()
                    self.wake(channel.removeprefix(CHANNEL_PREFIX))
            except Exception:
                if not self._stopped:
                    log.warning("live: Redis listener lost; connections poll meanwhile")
            self.listening.clear()
            if not self._stopped:
                time.sleep(RECONNECT_SECONDS)

    def stop(self) -> None:
        """End the listener thread (tests; a web process just exits)."""
        self._stopped = True
        if self._pubsub is not None:
            self._pubsub.close()


hub = Hub()
_publisher: Any = None


def stream_publish(tip_id: str) -> None:
    """Wake every connection streaming tip `tip_id`, in this process and through Redis."""
    global _publisher
    hub.wake(tip_id)
    url = settings.BITCACHE_LIVE_REDIS_URL
    if not url:
        return
    try:
        if _publisher is None:
            import redis

            _publisher = redis.Redis.from_url(url, socket_timeout=2)
        _publisher.publish(CHANNEL_PREFIX + tip_id, b"1")
    except Exception:
        # The other processes' connections read the table at their next poll.
        log.warning("live: could not publish on Redis", exc_info=True)
