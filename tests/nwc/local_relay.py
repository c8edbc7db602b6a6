"""A real Nostr relay on loopback for the tests, and a TCP proxy that can drop connections.

The relay is rust-nostr's `LocalRelay` (nostr-sdk, already a dependency), run in-process on
its own asyncio thread. Measured against `nostr-relay` 1.14 from PyPI (`nostr-relay -c
cfg.yaml serve`, gunicorn + SQLite): LocalRelay answers on its port ~0.01 s after start and
stops in ~0.1 s; nostr-relay took ~1.2 s to answer its NIP-11 document and ~2.8 s to stop,
and would add ~25 packages (SQLAlchemy, aiohttp, pydantic, falcon...) for the tests alone.
Both verify event ids and signatures, filter on `authors`/`#e`/`#p`/`since`, and keep
ephemeral kinds (NIP-47's 23194-23197) out of storage, as NIP-01 says.

LocalRelay limits each connection to 60 events a minute by default (real relays limit too:
past it, `OK false "rate-limited"`); the tests' relay raises that limit.

`Cutter` sits between a client and the relay: `cut()` drops every open connection (a relay
restart, a flaky network), `refuse_next(n)` accepts and at once closes the next `n` ones.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import select
import socket
import threading
import time
from collections.abc import Callable
from typing import Any

import nostr_sdk


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def wait_for_port(port: int, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while True:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            if time.monotonic() > deadline:
                raise
            # The relay binds before `run()` returns, so this loop rarely turns.
            threading.Event().wait(0.01)


class LocalRelay:
    def __init__(self) -> None:
        self.port = free_port()
        self.url = f"ws://127.0.0.1:{self.port}"
        self._ready = threading.Event()
        self._stop = threading.Event()
        self._failure: BaseException | None = None
        self._thread = threading.Thread(target=self._run, name="local-relay", daemon=True)

    def _run(self) -> None:
        async def main() -> None:
            relay = (
                nostr_sdk.LocalRelayBuilder()
                .addr("127.0.0.1")
                .port(self.port)
                # The default allows 60 events a minute per connection: a wallet double
                # answering on one connection hits it in a benchmark.
                .rate_limit(nostr_sdk.RateLimit(max_reqs=500, notes_per_minute=100_000))
                .build()
            )
            await relay.run()
            self._ready.set()
            loop = asyncio.get_running_loop()
            await loop.run_in_executor(None, self._stop.wait)
            relay.shutdown()

        try:
            asyncio.run(main())
        except BaseException as exc:  # reported by start()
            self._failure = exc
            self._ready.set()

    def start(self) -> LocalRelay:
        self._thread.start()
        self._ready.wait(10)
        if self._failure is not None:
            raise RuntimeError("the local relay did not start") from self._failure
        wait_for_port(self.port)
        return self

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(5)


class Cutter:
    """A TCP proxy on loopback in front of `target_port`."""

    def __init__(self, target_port: int) -> None:
        self.target_port = target_port
        self._server = socket.socket()
        self._server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._server.bind(("127.0.0.1", 0))
        self._server.listen(64)
        self.port = int(self._server.getsockname()[1])
        self.url = f"ws://127.0.0.1:{self.port}"
        self._lock = threading.Lock()
        self._pairs: list[tuple[socket.socket, socket.socket]] = []
        self._refuse = 0
        self.accepted = 0
        self._closed = False
        threading.Thread(target=self._accept, name="cutter", daemon=True).start()

    def refuse_next(self, count: int) -> None:
        with self._lock:
            self._refuse = count

    def cut(self) -> int:
        """Drops every open connection; returns how many."""
        with self._lock:
            pairs, self._pairs = self._pairs, []
        for a, b in pairs:
            for sock in (a, b):
                with contextlib.suppress(OSError):
                    sock.shutdown(socket.SHUT_RDWR)
                sock.close()
        return len(pairs)

    def close(self) -> None:
        self._closed = True
        self._server.close()
        self.cut()

    def _accept(self) -> None:
        while not self._closed:
            try:
                client, _ = self._server.accept()
            except OSError:
                return
            with self._lock:
                self.accepted += 1
                if self._refuse > 0:
                    self._refuse -= 1
                    client.close()
                    continue
            try:
                upstream = socket.create_connection(("127.0.0.1", self.target_port), timeout=5)
            except OSError:
                client.close()
                continue
            with self._lock:
                self._pairs.append((client, upstream))
            threading.Thread(target=self._pump, args=(client, upstream), daemon=True).start()

    def _pump(self, a: socket.socket, b: socket.socket) -> None:
        try:
            while True:
                readable, _, _ = select.select([a, b], [], [], 1.0)
                for sock in readable:
                    data = sock.recv(65536)
                    if not data:
                        raise OSError("closed")
                    (b if sock is a else a).sendall(data)
        except (OSError, ValueError):
            for sock in (a, b):
                with contextlib.suppress(OSError):
                    sock.close()


class HostileRelay:
    """A websocket server that speaks NIP-01 but lies: `on_req(filter)` returns the events it
    sends for a new subscription, `on_event(event)` the events it pushes to every open
    subscription after accepting a published one (forged answers, replays...)."""

    def __init__(
        self,
        *,
        on_req: Callable[[dict[str, Any]], list[dict[str, Any]]] = lambda f: [],
        on_event: Callable[[dict[str, Any]], list[dict[str, Any]]] = lambda e: [],
    ) -> None:
        from websockets.sync.server import serve

        self.on_req = on_req
        self.on_event = on_event
        self.received: list[dict[str, Any]] = []
        self._server = serve(self._handle, "127.0.0.1", 0, compression=None)
        self.port = int(self._server.socket.getsockname()[1])
        self.url = f"ws://127.0.0.1:{self.port}"
        threading.Thread(target=self._server.serve_forever, daemon=True).start()

    def _handle(self, ws: Any) -> None:
        subs: list[str] = []
        with contextlib.suppress(Exception):
            for raw in ws:
                message = json.loads(raw)
                if message[0] == "REQ":
                    subs.append(message[1])
                    for event in self.on_req(message[2]):
                        ws.send(json.dumps(["EVENT", message[1], event]))
                    ws.send(json.dumps(["EOSE", message[1]]))
                elif message[0] == "EVENT":
                    self.received.append(message[1])
                    ws.send(json.dumps(["OK", message[1]["id"], True, ""]))
                    for event in self.on_event(message[1]):
                        for sub in subs:
                            ws.send(json.dumps(["EVENT", sub, event]))

    def close(self) -> None:
        self._server.shutdown()
