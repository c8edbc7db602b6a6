"""Talking to Nostr relays over websockets (NIP-01): publish, fetch, ask a NIP-47 wallet and
listen for its notifications. Pure Python, no Django.

Everything here is synchronous (`websockets.sync.client`), so Celery tasks, views and the
`watch_lightning` command call it directly. One thread per relay reads that relay's messages
into one queue; the caller's thread decides, so "the first valid answer from any relay wins"
is a loop over that queue with one deadline. Every call has a timeout, a dropped connection
is retried while time remains, and what each relay did is reported when nothing worked.

Nothing a relay sends is trusted: events go through `nwc.events.event_parse` (and the NIP-47
parsers), and a forged or mismatched answer is ignored while the real one is awaited.

Logs name relays and event ids, never a connection secret or a decrypted payload.
"""

from __future__ import annotations

import json
import logging
import queue
import secrets
import socket
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from websockets.exceptions import ConnectionClosed, InvalidHandshake, InvalidURI
from websockets.sync.client import ClientConnection, connect

from nwc.events import MAX_EVENT_JSON, Event, EventRefused
from nwc.nip47 import (
    INFO_KIND,
    NOTIFICATION_KIND,
    NOTIFICATION_KIND_NIP04,
    RESPONSE_KIND,
    ConnectionUri,
    Response,
    WalletInfo,
    info_parse,
    notification_parse,
    request_build,
    response_parse,
)

logger = logging.getLogger(__name__)

Message = list[object]
Filter = dict[str, object]
# Opens the TCP connection to a relay URL within a timeout, or raises RelayBlocked. Relay
# URLs come from what a creator pasted, so the Django rail passes one that applies its
# SSRF guard (resolve, allow public addresses only, connect to the address it checked).
Opener = Callable[[str, float], socket.socket]


class RelayBlocked(ValueError):
    """An opener refused a relay URL (a private address, a port not allowed...)."""


class RelayError(Exception):
    """No relay did what was asked in time. `problems` says, per relay, what went wrong
    (refused connection, dropped, refused the event...), safe to log: no secret in it."""

    def __init__(self, message: str, problems: Mapping[str, str] | None = None) -> None:
        self.problems = dict(problems or {})
        detail = "; ".join(f"{relay}: {problem}" for relay, problem in self.problems.items())
        super().__init__(f"{message} ({detail})" if detail else message)
        self.message = message


class RelayTimeout(RelayError):
    """The deadline passed before any relay gave a usable answer."""


class InfoMissing(RelayError):
    """Every relay answered, and none holds a valid info event (kind 13194) of the wallet."""


def _retry_pause(attempt: int) -> float:
    return float(min(0.1 * 2**attempt, 2.0))


def _socket_errors() -> tuple[type[BaseException], ...]:
    return (OSError, ConnectionClosed, InvalidHandshake, InvalidURI, TimeoutError, EOFError)


@dataclass
class _Conversation:
    """One relay's side of a call: connect, subscribe (and wait for EOSE), then send."""

    url: str
    subscriptions: Mapping[str, Filter]
    sends: Sequence[Message]
    inbox: queue.Queue[tuple[str, Message]]
    deadline: float
    attempts: int
    opener: Opener | None = None
    stop: threading.Event = field(default_factory=threading.Event)

    def run(self) -> None:
        problem = "no attempt"
        for attempt in range(self.attempts):
            if self.stop.is_set() or time.monotonic() >= self.deadline:
                break
            try:
                self._once()
                return
            except RelayBlocked:
                problem = "refused by policy"
                logger.info("relay %s: %s", self.url, problem)
                break
            except _socket_errors() as exc:
                problem = _describe(exc)
                logger.info("relay %s: %s (attempt %d)", self.url, problem, attempt + 1)
                self.inbox.put((self.url, ["_DROPPED", problem]))
            pause = min(_retry_pause(attempt), self.deadline - time.monotonic())
            if pause > 0 and self.stop.wait(pause):
                break
        self.inbox.put((self.url, ["_GAVE_UP", problem]))

    def _once(self) -> None:
        remaining = self.deadline - time.monotonic()
        if remaining <= 0:
            raise TimeoutError("deadline")
        with _connect(self.url, remaining, self.opener) as ws:
            waiting = set(self.subscriptions)
            for sub_id, filter_ in self.subscriptions.items():
                ws.send(json.dumps(["REQ", sub_id, filter_]))
            sent = False
            if not waiting:
                self._send_all(ws)
                sent = True
            while not self.stop.is_set():
                remaining = self.deadline - time.monotonic()
                if remaining <= 0:
                    return
                try:
                    raw = ws.recv(timeout=min(remaining, 0.25))
                except TimeoutError:
                    continue
                message = _message(raw)
                if message is None:
                    continue
                if message[0] in ("EOSE", "CLOSED") and message[1] in waiting:
                    waiting.discard(str(message[1]))
                    if not waiting and not sent:
                        # Subscribed everywhere first, so the answer cannot slip past us.
                        self._send_all(ws)
                        sent = True
                self.inbox.put((self.url, message))

    def _send_all(self, ws: ClientConnection) -> None:
        for message in self.sends:
            ws.send(json.dumps(message))
        self.inbox.put((self.url, ["_SENT"]))


def _connect(url: str, timeout: float, opener: Opener | None) -> ClientConnection:
    sock = opener(url, timeout) if opener is not None else None
    try:
        return connect(
            url,
            sock=sock,
            open_timeout=timeout,
            close_timeout=0.5,
            max_size=MAX_EVENT_JSON * 2,
            compression=None,
        )
    except BaseException:
        if sock is not None:
            sock.close()
        raise


def _describe(exc: BaseException) -> str:
    if isinstance(exc, ConnectionClosed):
        return "connection dropped"
    if isinstance(exc, ConnectionRefusedError):
        return "connection refused"
    if isinstance(exc, TimeoutError):
        return "timed out"
    if isinstance(exc, InvalidURI):
        return "not a websocket URL"
    if isinstance(exc, InvalidHandshake):
        return "not a websocket server"
    return type(exc).__name__


def _message(raw: str | bytes) -> Message | None:
    if isinstance(raw, bytes) or len(raw) > MAX_EVENT_JSON * 2:
        return None
    try:
        message = json.loads(raw)
    except ValueError:
        return None
    if not isinstance(message, list) or not message or not isinstance(message[0], str):
        return None
    return message


def _converse(
    relays: Sequence[str],
    *,
    subscriptions: Mapping[str, Filter],
    sends: Sequence[Message],
    timeout: float,
    attempts: int,
    decide: Callable[[str, Message], bool],
    what: str,
    opener: Opener | None = None,
) -> dict[str, str]:
    """Runs a conversation with every relay at once until `decide(relay, message)` returns
    True. Returns the problems met on the way; raises RelayTimeout or RelayError."""
    if not relays:
        raise RelayError(f"{what}: no relay to talk to.")
    inbox: queue.Queue[tuple[str, Message]] = queue.Queue()
    deadline = time.monotonic() + timeout
    conversations = [
        _Conversation(
            url=url,
            subscriptions=subscriptions,
            sends=sends,
            inbox=inbox,
            deadline=deadline,
            attempts=max(1, attempts),
            opener=opener,
        )
        for url in dict.fromkeys(relays)
    ]
    threads = [
        threading.Thread(target=c.run, name=f"nostr-relay {c.url}", daemon=True)
        for c in conversations
    ]
    for thread in threads:
        thread.start()
    problems: dict[str, str] = {}
    given_up: set[str] = set()
    try:
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise RelayTimeout(f"{what}: no answer within {timeout:g} s.", problems)
            try:
                relay, message = inbox.get(timeout=remaining)
            except queue.Empty:
                continue
            if message[0] == "_DROPPED":
                problems[relay] = str(message[1])
                continue
            if message[0] == "_GAVE_UP":
                problems.setdefault(relay, str(message[1]))
                given_up.add(relay)
                if len(given_up) == len(conversations):
                    raise RelayError(f"{what}: no relay could be reached.", problems)
                # Callers count a relay that gave up as one that answered.
                if decide(relay, message):
                    return problems
                continue
            if decide(relay, message):
                return problems
    finally:
        for c in conversations:
            c.stop.set()


def _sub_id() -> str:
    return secrets.token_hex(8)


def publish(
    relays: Sequence[str],
    event_json: str | Event,
    *,
    timeout: float = 10.0,
    attempts: int = 3,
    opener: Opener | None = None,
) -> list[str]:
    """Sends one signed event to `relays` and waits until every relay accepted it (`OK`
    true), refused it, or gave up. Returns the relays that accepted it; raises RelayError
    (RelayTimeout) if none did. A dropped connection is retried up to `attempts` times.
    Used for zap receipts (NIP-57), which go to the relays the zap request named."""
    raw = event_json.as_json() if isinstance(event_json, Event) else event_json
    event = json.loads(raw)
    if not isinstance(event, dict) or not isinstance(event.get("id"), str):
        raise ValueError("publish() takes a signed event.")
    event_id = event["id"]
    accepted: list[str] = []
    refused: dict[str, str] = {}
    unique = list(dict.fromkeys(relays))

    def decide(relay: str, message: Message) -> bool:
        if message[0] == "_GAVE_UP":
            refused[relay] = str(message[1])
        elif message[0] == "OK" and len(message) >= 3 and message[1] == event_id:
            if message[2] is True:
                if relay not in accepted:
                    accepted.append(relay)
            else:
                refused[relay] = str(message[3] if len(message) > 3 else "refused")[:200]
        return len(accepted) + len(refused) >= len(unique)

    try:
        _converse(
            unique,
            subscriptions={},
            sends=[["EVENT", event]],
            timeout=timeout,
            attempts=attempts,
            decide=decide,
            what="publish",
            opener=opener,
        )
    except RelayError as exc:
        if accepted:
            return accepted
        exc.problems.update(refused)
        raise
    if not accepted:
        raise RelayError("publish: every relay refused the event.", refused)
    return accepted


def info_fetch(
    connection: ConnectionUri,
    *,
    timeout: float = 10.0,
    attempts: int = 2,
    opener: Opener | None = None,
) -> WalletInfo:
    """The wallet's info event (kind 13194), from the first relay holding a valid one.
    Raises InfoMissing when every relay answered without one, RelayError otherwise."""
    sub_id = _sub_id()
    found: list[WalletInfo] = []
    finished: set[str] = set()
    relays = list(dict.fromkeys(connection.relays))

    def decide(relay: str, message: Message) -> bool:
        if message[0] == "EVENT" and len(message) >= 3 and message[1] == sub_id:
            try:
                found.append(
                    info_parse(_event_dict(message[2]), wallet_pubkey=connection.wallet_pubkey)
                )
                return True
            except EventRefused:
                logger.warning("relay %s sent an info event that does not verify", relay)
        elif message[0] == "_GAVE_UP" or (
            message[0] in ("EOSE", "CLOSED") and len(message) >= 2 and message[1] == sub_id
        ):
            finished.add(relay)
            if len(finished) == len(relays):
                raise InfoMissing(
                    "The wallet has published no Nostr Wallet Connect info event on its relays."
                )
        return False

    _converse(
        relays,
        subscriptions={
            sub_id: {"kinds": [INFO_KIND], "authors": [connection.wallet_pubkey], "limit": 1}
        },
        sends=[],
        timeout=timeout,
        attempts=attempts,
        decide=decide,
        what="info",
        opener=opener,
    )
    return found[0]


def _event_dict(raw: object) -> dict[str, object]:
    if not isinstance(raw, dict):
        raise EventRefused("That is not a well-formed nostr event.")
    return raw


def wallet_request(
    connection: ConnectionUri,
    method: str,
    params: Mapping[str, object],
    *,
    scheme: str,
    timeout: float = 10.0,
    attempts: int = 3,
    now: int | None = None,
    opener: Opener | None = None,
) -> Response:
    """Asks the wallet (NIP-47) and returns its answer: subscribes to the kind-23195
    responses for this request on every relay, then publishes the request. The first
    response that `nwc.nip47.response_parse` accepts wins; forged, foreign or mismatched
    ones are ignored until the timeout (RelayTimeout). An error answer is returned as a
    Response with `error_code`; the caller decides."""
    if scheme not in ("nip44_v2", "nip04"):
        raise ValueError("Unknown encryption scheme.")
    created_at = int(time.time()) if now is None else now
    request = request_build(
        connection,
        method,
        params,
        scheme="nip44_v2" if scheme == "nip44_v2" else "nip04",
        created_at=created_at,
        # NIP-40: relays and wallets drop it after this. A minute beyond our own deadline,
        # so a relay or wallet whose clock runs a little ahead still takes it.
        expiration=created_at + int(timeout) + 60,
    )
    sub_id = _sub_id()
    answers: list[Response] = []
    refused: dict[str, str] = {}
    relays = list(dict.fromkeys(connection.relays))

    def decide(relay: str, message: Message) -> bool:
        if message[0] == "EVENT" and len(message) >= 3 and message[1] == sub_id:
            try:
                answers.append(
                    response_parse(_event_dict(message[2]), connection=connection, request=request)
                )
                return True
            except EventRefused as exc:
                logger.warning("relay %s: ignored a wallet answer: %s", relay, exc)
        elif (
            message[0] == "OK"
            and len(message) >= 3
            and message[1] == request.id
            and message[2] is not True
        ):
            refused[relay] = str(message[3] if len(message) > 3 else "refused")[:200]
            if len(refused) == len(relays):
                raise RelayError("The relays refused the request.", refused)
        return False

    _converse(
        relays,
        subscriptions={
            sub_id: {
                "kinds": [RESPONSE_KIND],
                "authors": [connection.wallet_pubkey],
                "#e": [request.id],
            }
        },
        sends=[["EVENT", request.as_dict()]],
        timeout=timeout,
        attempts=attempts,
        decide=decide,
        what=method,
        opener=opener,
    )
    return answers[0]


OnPayment = Callable[[str, str, "str | None"], None]


class NotificationListener:
    """Listens for NIP-47 notifications (23197, and 23196 from NIP-04 wallets) for a set
    of connections and calls `on_payment(connection_key, payment_hash, preimage)` once per
    `payment_received` (the same notification twice, or through two relays, counts once).

    One thread per relay keeps a subscription open; after a drop it reconnects with
    backoff and asks for notifications `since` the last one seen (minus a margin), so a
    relay that stored them replays what was missed. `update(connections)` changes the set
    (the `watch_lightning` command reloads it periodically). A callback that raises is
    logged and its notification is not marked seen, so a replay may deliver it again.
    """

    MARGIN_SECONDS = 60
    DEDUP_SIZE = 10_000

    def __init__(
        self,
        connections: Mapping[str, ConnectionUri],
        on_payment: OnPayment,
        *,
        since: int | None = None,
        max_backoff: float = 30.0,
        opener: Opener | None = None,
    ) -> None:
        self._opener = opener
        self._on_payment = on_payment
        self._max_backoff = max_backoff
        self._lock = threading.RLock()
        self._changed = threading.Condition(self._lock)
        self._connections: dict[str, ConnectionUri] = {}
        self._seen: OrderedDict[tuple[str, str], None] = OrderedDict()
        self.last_seen = since
        self._stopping = threading.Event()
        self._threads: dict[str, threading.Thread] = {}
        self._relay_stop: dict[str, threading.Event] = {}
        self._generation = 0
        # relay -> generation of its current live subscription (for tests and health).
        self._subscribed: dict[str, int] = {}
        self.reconnects = 0
        self._started = False
        self.update(connections)

    # The set of connections

    def update(self, connections: Mapping[str, ConnectionUri]) -> None:
        with self._lock:
            if dict(connections) == self._connections:
                return
            self._connections = dict(connections)
            self._generation += 1
            wanted = {relay for c in self._connections.values() for relay in c.relays}
            for relay in list(self._threads):
                if relay not in wanted:
                    self._relay_stop.pop(relay).set()
                    self._threads.pop(relay)
                    self._subscribed.pop(relay, None)
            for relay in sorted(wanted - set(self._threads)):
                stop = threading.Event()
                self._relay_stop[relay] = stop
                thread = threading.Thread(
                    target=self._serve, args=(relay, stop), name=f"nwc-listen {relay}", daemon=True
                )
                self._threads[relay] = thread
                if self._started:
                    thread.start()
            self._changed.notify_all()

    def start(self) -> NotificationListener:
        with self._lock:
            self._started = True
            for thread in self._threads.values():
                if not thread.is_alive():
                    thread.start()
        return self

    def stop(self, timeout: float = 5.0) -> None:
        self._stopping.set()
        with self._lock:
            for stop in self._relay_stop.values():
                stop.set()
            self._changed.notify_all()
            threads = list(self._threads.values())
        for thread in threads:
            if thread.is_alive():
                thread.join(timeout)

    def __enter__(self) -> NotificationListener:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def wait_subscribed(self, timeout: float) -> bool:
        """True once every relay has a live subscription for the current set of
        connections (tests wait on this instead of sleeping)."""
        deadline = time.monotonic() + timeout
        with self._changed:
            while True:
                relays = {r for c in self._connections.values() for r in c.relays}
                if all(self._subscribed.get(r) == self._generation for r in relays):
                    return True
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    return False
                self._changed.wait(remaining)

    def wait_reconnects(self, count: int, timeout: float) -> bool:
        deadline = time.monotonic() + timeout
        with self._changed:
            while self.reconnects < count:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    return False
                self._changed.wait(remaining)
            return True

    # One relay

    def filter_for(self, relay: str) -> Filter | None:
        with self._lock:
            mine = [c for c in self._connections.values() if relay in c.relays]
            if not mine:
                return None
            filter_: Filter = {
                "kinds": [NOTIFICATION_KIND, NOTIFICATION_KIND_NIP04],
                "authors": sorted({c.wallet_pubkey for c in mine}),
                "#p": sorted({c.client_pubkey for c in mine}),
            }
            if self.last_seen is not None:
                filter_["since"] = max(0, self.last_seen - self.MARGIN_SECONDS)
            return filter_

    def _serve(self, relay: str, stop: threading.Event) -> None:
        failures = 0
        while not stop.is_set() and not self._stopping.is_set():
            try:
                self._listen(relay, stop)
                failures = 0
            except RelayBlocked:
                logger.warning("nwc listener: relay %s refused by policy", relay)
                failures = 10  # the longest pause: the set of connections may change
            except _socket_errors() as exc:
                failures += 1
                logger.warning("nwc listener: relay %s %s; reconnecting", relay, _describe(exc))
            with self._changed:
                self._subscribed.pop(relay, None)
                if not stop.is_set():
                    self.reconnects += 1
                self._changed.notify_all()
            pause = min(self._max_backoff, 0.05 * 2 ** min(failures, 10)) if failures else 0.05
            if stop.wait(pause):
                break

    def _listen(self, relay: str, stop: threading.Event) -> None:
        with _connect(relay, 10.0, self._opener) as ws:
            generation = -1
            sub_id = ""
            while not stop.is_set():
                with self._lock:
                    current = self._generation
                if current != generation:
                    filter_ = self.filter_for(relay)
                    if filter_ is None:
                        return
                    if sub_id:
                        ws.send(json.dumps(["CLOSE", sub_id]))
                    sub_id = _sub_id()
                    ws.send(json.dumps(["REQ", sub_id, filter_]))
                    generation = current
                try:
                    raw = ws.recv(timeout=0.25)
                except TimeoutError:
                    continue
                message = _message(raw)
                if message is None or len(message) < 2 or message[1] != sub_id:
                    continue
                if message[0] == "EOSE":
                    with self._changed:
                        self._subscribed[relay] = generation
                        self._changed.notify_all()
                elif message[0] == "CLOSED":
                    raise ConnectionRefusedError("the relay closed the subscription")
                elif message[0] == "EVENT" and len(message) >= 3:
                    self._event(relay, message[2])

    def _event(self, relay: str, raw: object) -> None:
        if not isinstance(raw, dict):
            return
        tags = raw.get("tags")
        pubkey = raw.get("pubkey")
        addressed = {
            tag[1]
            for tag in (tags if isinstance(tags, list) else [])
            if isinstance(tag, list) and len(tag) >= 2 and tag[0] == "p"
        }
        with self._lock:
            candidates = [
                (key, c)
                for key, c in self._connections.items()
                if c.wallet_pubkey == pubkey and c.client_pubkey in addressed
            ]
        for key, connection in candidates:
            try:
                notification = notification_parse(raw, connection=connection)
            except EventRefused as exc:
                logger.warning("relay %s: ignored a notification: %s", relay, exc)
                continue
            created_at = raw.get("created_at")
            if isinstance(created_at, int):
                with self._lock:
                    if self.last_seen is None or created_at > self.last_seen:
                        # Never ahead of our clock: a wallet's skew must not hide later ones.
                        self.last_seen = min(created_at, int(time.time()))
            if notification.notification_type == "payment_received":
                self._paid(key, notification.notification)

    def _paid(self, key: str, body: Mapping[str, object]) -> None:
        payment_hash = body.get("payment_hash")
        preimage = body.get("preimage")
        if not isinstance(payment_hash, str) or len(payment_hash) != 64:
            logger.warning("nwc listener: payment_received without a payment hash")
            return
        preimage_text = preimage if isinstance(preimage, str) and preimage else None
        with self._lock:
            if (key, payment_hash) in self._seen:
                return
            try:
                self._on_payment(key, payment_hash, preimage_text)
            except Exception:
                logger.exception("nwc listener: on_payment failed for %s", payment_hash)
                return
            self._seen[(key, payment_hash)] = None
            while len(self._seen) > self.DEDUP_SIZE:
                self._seen.popitem(last=False)


def relays_of(connections: Iterable[ConnectionUri]) -> list[str]:
    return sorted({relay for c in connections for relay in c.relays})
