"""ZmqSubscriber against a real ZMQ publisher on loopback, framed as Bitcoin Core frames."""

from __future__ import annotations

import struct
from collections.abc import Iterator

import pytest
import zmq

from chain.zmq import ZmqSubscriber


class Publisher:
    """Bitcoin Core's side: `[topic, body, 4-byte LE sequence]`, a counter per topic."""

    def __init__(self) -> None:
        self.socket: zmq.Socket[bytes] = zmq.Context.instance().socket(zmq.PUB)
        port: int = self.socket.bind_to_random_port("tcp://127.0.0.1")
        self.endpoint = f"tcp://127.0.0.1:{port}"
        self.sequence: dict[str, int] = {}

    def send(self, topic: str, body: bytes, *, sequence: int | None = None) -> None:
        number = self.sequence.get(topic, 0) if sequence is None else sequence
        self.sequence[topic] = number + 1
        self.socket.send_multipart([topic.encode(), body, struct.pack("<I", number)])


@pytest.fixture
def publisher() -> Iterator[Publisher]:
    publisher = Publisher()
    yield publisher
    publisher.socket.close(linger=0)


def connected(publisher: Publisher) -> ZmqSubscriber:
    """A subscriber that has seen a first message: ZMQ drops what a PUB socket sends before
    the subscription reaches it, so announce blocks until one gets through (no fixed sleep)."""
    subscriber = ZmqSubscriber([publisher.endpoint])
    for _ in range(200):
        publisher.send("hashblock", b"\x00" * 32)
        if subscriber.receive(0.05) is not None:
            while subscriber.receive(0.05) is not None:
                pass
            return subscriber
    raise AssertionError("the subscriber never connected")


def test_it_reads_blocks_and_transactions_as_core_frames_them(publisher: Publisher) -> None:
    subscriber = connected(publisher)

    publisher.send("rawtx", b"\x02\x00\x00\x00raw")
    publisher.send("hashblock", bytes(range(32)))

    tx = subscriber.receive(1)
    block = subscriber.receive(1)
    assert tx is not None and (tx.topic, tx.body, tx.missed) == (
        "rawtx",
        b"\x02\x00\x00\x00raw",
        False,
    )
    assert block is not None and (block.topic, block.body, block.missed) == (
        "hashblock",
        bytes(range(32)),
        False,
    )
    subscriber.close()


def test_a_jump_in_the_sequence_says_notifications_were_lost(publisher: Publisher) -> None:
    subscriber = connected(publisher)
    publisher.send("rawtx", b"a")
    publisher.send("rawtx", b"b", sequence=publisher.sequence["rawtx"] + 5)

    first, second = subscriber.receive(1), subscriber.receive(1)

    assert first is not None and not first.missed
    assert second is not None and second.missed
    subscriber.close()


def test_a_message_not_framed_like_cores_counts_as_lost(publisher: Publisher) -> None:
    subscriber = connected(publisher)
    publisher.socket.send_multipart([b"rawtx", b"body"])

    odd = subscriber.receive(1)

    assert odd is not None and odd.missed
    subscriber.close()


def test_it_waits_no_longer_than_asked_when_nothing_comes(publisher: Publisher) -> None:
    subscriber = connected(publisher)

    assert subscriber.receive(0.01) is None
    subscriber.close()
