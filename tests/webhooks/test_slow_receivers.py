"""A slow receiver cannot hold up the chain watcher: deliveries and emails run on a queue
of their own, after the credit has committed, and an attempt ends at a deadline however
slowly the receiver answers."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from celery.signals import before_task_publish

from bitcache.celery_app import app
from payments.models import TipStatus
from webhooks import outgoing
from webhooks.models import WebhookDelivery

ANSWER = b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok"


@contextmanager
def dribbling_receiver(seconds_per_byte: float) -> Iterator[str]:
    """A receiver that answers 200, one byte at a time: each read gets a byte well
    within a socket timeout, the whole answer takes len(ANSWER) * seconds_per_byte."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen()
    stop = threading.Event()

    def serve() -> None:
        connection, _ = server.accept()
        with connection:
            connection.recv(65536)
            for byte in ANSWER:
                if stop.wait(seconds_per_byte):
                    return
                try:
                    connection.sendall(bytes([byte]))
                except OSError:
                    return  # the sender hung up

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.getsockname()[1]}/hook"
    finally:
        stop.set()
        server.close()
        thread.join(timeout=5)


def test_an_attempt_ends_at_its_deadline_however_slowly_the_receiver_answers():
    # 60 bytes, 0.1 s apart: never 0.5 s without a byte, 6 s in all.
    with (
        dribbling_receiver(seconds_per_byte=0.1) as url,
        pytest.raises(outgoing.DeliveryError) as failure,
    ):
        outgoing.post(url, b"{}", {}, timeout=0.5)

    assert str(failure.value) == "no answer within 0.5s"


def queue_of(task_name: str) -> str:
    return app.amqp.router.route({}, task_name)["queue"].name


def test_deliveries_and_emails_have_their_own_queue_and_the_watcher_its_own():
    assert queue_of("payments.tasks.watch_chain") == "chain"
    for task in (
        "payments.tasks.tip_events_dispatch",
        "payments.tasks.tip_confirmed_email",
        "payments.tasks.tip_reversed_email",
        "webhooks.tasks.webhook_deliver",
        "webhooks.tasks.webhooks_deliver_due",
        "webhooks.tasks.webhook_endpoint_disabled_email",
    ):
        assert queue_of(task) == "webhooks", task


@pytest.fixture
def published():
    """Tasks go to the broker (in memory) instead of running in the caller: which ones, to
    which queue."""
    app.conf.task_always_eager = False
    sent: list[tuple[str, str]] = []

    def record(sender, routing_key, **kwargs):
        sent.append((sender, routing_key))

    before_task_publish.connect(record)
    yield sent
    before_task_publish.disconnect(record)
    app.conf.task_always_eager = True


@pytest.mark.django_db
def test_a_receiver_that_never_answers_does_not_delay_crediting(
    endpoint, tip, chain, watch, published, django_capture_on_commit_callbacks
):
    silent = socket.socket()
    silent.bind(("127.0.0.1", 0))
    silent.listen()  # accepts connections, never answers
    endpoint.url = f"http://127.0.0.1:{silent.getsockname()[1]}/"
    endpoint.save()
    try:
        with django_capture_on_commit_callbacks(execute=True):
            chain.send([(tip.address.address, tip.amount_sats)])
            chain.mine(1)
            watch()
    finally:
        silent.close()

    tip.refresh_from_db()
    assert tip.status == TipStatus.CONFIRMED
    # Nothing was sent from the watcher's run: the events wait for the webhooks queue.
    assert not WebhookDelivery.objects.filter(attempts__gt=0).exists()
    assert published == [("payments.tasks.tip_events_dispatch", "webhooks")]
