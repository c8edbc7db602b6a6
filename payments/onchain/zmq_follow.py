"""Scan the moment Bitcoin Core says so: its ZMQ notifications turn into watcher runs.

A `hashblock` asks for a block scan; a `rawtx` paying a watched address asks for a mempool
look (which reads Core's new mempool entries, so what is credited still comes from the
watcher's own path, never from the notification); a lost notification asks for both.
The beat schedule keeps polling too, so a dead ZMQ link only costs latency.

A run that finds the watcher busy (another process holds its lock, and may have read the
chain before this news) stays pending and is retried at the next turn of the loop.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping

from django.conf import settings

from btc.blocks import MalformedData
from btc.networks import get_network
from btc.rawblock import parse_transaction
from chain.zmq import Notification, ZmqSubscriber
from payments.onchain.watcher import watched_addresses

log = logging.getLogger(__name__)

BLOCKS = "blocks"
MEMPOOL = "mempool"
# Blocks first: a block confirms what the mempool look would only see as pending.
ORDER = (BLOCKS, MEMPOOL)
# How long to wait for news while a run is pending (its lock holder is busy).
RETRY_SECONDS = 0.2
IDLE_SECONDS = 1.0


def looks_for(notification: Notification) -> set[str]:
    """Which watcher runs a notification calls for."""
    if notification.missed:
        return {BLOCKS, MEMPOOL}
    if notification.topic == "hashblock":
        return {BLOCKS}
    if notification.topic == "rawtx":
        try:
            tx = parse_transaction(
                notification.body, network=get_network(settings.BITCACHE_NETWORK)
            )
        except MalformedData:
            log.warning("ZMQ rawtx that does not parse as a transaction; looking anyway")
            return {MEMPOOL}
        paid = {out.address for out in tx.outputs if out.address}
        return {MEMPOOL} if paid and watched_addresses(paid) else set()
    return set()


def follow(
    subscriber: ZmqSubscriber,
    runs: Mapping[str, Callable[[], object]],
    *,
    keep_going: Callable[[], bool],
) -> None:
    """Reads notifications and runs what they call for until `keep_going()` is false.

    `runs` maps BLOCKS and MEMPOOL to the watcher tasks; a run answering None was skipped
    (busy or backing off) and is tried again.
    """
    pending: set[str] = set()
    while keep_going():
        notification = subscriber.receive(RETRY_SECONDS if pending else IDLE_SECONDS)
        if notification is not None:
            if notification.missed:
                log.warning("ZMQ notifications were lost (%s); scanning", notification.topic)
            pending |= looks_for(notification)
        for look in ORDER:
            if look in pending and runs[look]() is not None:
                pending.discard(look)
