"""Bitcoin Core's ZMQ notifications (doc/zmq.md in Bitcoin Core), read with pyzmq.

Core publishes multipart messages `[topic, body, sequence]`: `rawtx` with the serialised
transaction, `hashblock` with the block hash (32 bytes, shown reversed as usual), and a
4-byte little-endian sequence number per topic. ZMQ drops messages when a subscriber falls
behind (its high-water mark) and says nothing: a jump in the sequence is the only sign, so
it is reported (`Notification.missed`) and the caller falls back to a full look.

A notification only says "look now". What it carries is parsed by us (btc.rawblock), and
everything credited still comes from the watcher's own reads.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass, field

import zmq

TOPICS = ("hashblock", "rawtx")


@dataclass(frozen=True)
class Notification:
    topic: str
    body: bytes = field(repr=False)
    sequence: int
    # Messages of this topic were lost before this one (or this is the first after a
    # reconnect): whatever they announced must be looked for another way.
    missed: bool


class ZmqSubscriber:
    """Subscribes to `hashblock` and `rawtx` on each endpoint (Core may publish both on one)."""

    def __init__(
        self, endpoints: list[str], *, context: zmq.Context[zmq.Socket[bytes]] | None = None
    ):
        if not endpoints:
            raise ValueError("no ZMQ endpoint configured")
        self._context = context or zmq.Context.instance()
        self._socket = self._context.socket(zmq.SUB)
        # Core's own advice (doc/zmq.md): keep the connection alive through NAT and firewalls.
        self._socket.setsockopt(zmq.TCP_KEEPALIVE, 1)
        self._socket.setsockopt(zmq.RCVHWM, 0)
        for topic in TOPICS:
            self._socket.setsockopt(zmq.SUBSCRIBE, topic.encode())
        for endpoint in dict.fromkeys(endpoints):
            self._socket.connect(endpoint)
        self._last: dict[str, int] = {}

    def receive(self, timeout: float) -> Notification | None:
        """The next notification, or None after `timeout` seconds without one."""
        if not self._socket.poll(int(timeout * 1000)):
            return None
        parts = self._socket.recv_multipart()
        if len(parts) != 3 or len(parts[2]) != 4:
            # Not what Core sends: count it as a lost message, so the caller looks anyway.
            return Notification("unknown", b"", -1, missed=True)
        topic = parts[0].decode("ascii", "replace")
        (sequence,) = struct.unpack("<I", parts[2])
        last = self._last.get(topic)
        missed = last is not None and sequence != (last + 1) % 2**32
        self._last[topic] = sequence
        return Notification(topic, parts[1], sequence, missed=missed)

    def close(self) -> None:
        self._socket.close(linger=0)
