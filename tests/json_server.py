"""A real HTTP server on 127.0.0.1, in a thread, answering GETs from a table of routes.

For what Bitcache fetches (LNURL providers): each route answers a status, headers and
a body, or hangs until the test ends (a provider that never answers). A route may also
be a function of the request's path and query, for providers that mint answers.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit


@dataclass
class Answer:
    status: int = 200
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    # Never answer: the request waits until the server stops.
    hang: bool = False

    @classmethod
    def json(cls, value: object, status: int = 200) -> Answer:
        return cls(status, json.dumps(value).encode(), {"Content-Type": "application/json"})

    @classmethod
    def redirect(cls, location: str) -> Answer:
        return cls(302, b"", {"Location": location})


Route = Answer | Callable[[dict[str, str]], Answer]


@dataclass
class JsonServer:
    base: str = ""
    routes: dict[str, Route] = field(default_factory=dict)
    # Routes for every path under a prefix (e.g. /verify/<payment hash>).
    prefix_routes: dict[str, Route] = field(default_factory=dict)
    requested: list[str] = field(default_factory=list)

    def url(self, path: str) -> str:
        return self.base + path


@contextmanager
def json_server() -> Iterator[JsonServer]:
    server_state = JsonServer()
    stop = threading.Event()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            parts = urlsplit(self.path)
            server_state.requested.append(self.path)
            route = server_state.routes.get(parts.path) or next(
                (
                    route
                    for prefix, route in server_state.prefix_routes.items()
                    if parts.path.startswith(prefix)
                ),
                None,
            )
            if route is None:
                answer = Answer.json({"status": "ERROR", "reason": "not found"}, status=404)
            elif callable(route):
                query = {key: values[0] for key, values in parse_qs(parts.query).items()}
                answer = route({"path": parts.path, **query})
            else:
                answer = route
            if answer.hang:
                stop.wait(30)
                return
            self.send_response(answer.status)
            for name, value in answer.headers.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(answer.body)))
            self.end_headers()
            self.wfile.write(answer.body)

        def log_message(self, format: str, *args: object) -> None:
            pass  # keep the test output clean

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    server_state.base = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, args=(0.02,), daemon=True)
    thread.start()
    try:
        yield server_state
    finally:
        stop.set()
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
