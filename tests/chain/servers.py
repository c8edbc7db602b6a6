"""Local servers on 127.0.0.1 speaking Esplora's and Bitcoin Core's wire formats.

Each server runs in a thread on a free port, records every request, and can be
told to misbehave for the next requests (fail, stall, drip, send garbage) to
test timeouts and retries against a real socket. Nothing here touches the internet.
"""

from __future__ import annotations

import base64
import contextlib
import json
import re
import socket
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from .blocks import BuiltBlock


@dataclass(frozen=True)
class Request:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes
    client_port: int


@dataclass
class Reply:
    status: int = 200
    body: bytes = b""
    content_type: str = "application/json"
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0  # before the status line
    drip: float = 0.0  # between bytes of the body
    cut_after: int | None = None  # hang up after this many bytes of the body


def text(body: str, status: int = 200) -> Reply:
    return Reply(status, body.encode(), "text/plain")


def as_json(value: Any, status: int = 200) -> Reply:
    """JSON with Decimals written as Core writes amounts: plain numbers, 8 decimals."""
    marked = json.dumps(value, default=_mark_decimal)
    return Reply(status, re.sub(r'"@decimal:([0-9.-]+)"', r"\1", marked).encode())


def _mark_decimal(value: object) -> str:
    if isinstance(value, Decimal):
        exact = value.as_tuple().exponent >= -8  # type: ignore[operator]
        return f"@decimal:{value:.8f}" if exact else f"@decimal:{value:f}"
    raise TypeError(value)


class LocalServer:
    """An HTTP/1.1 server answering `app(request)`, or queued faults first."""

    def __init__(self, app: Callable[[Request], Reply]) -> None:
        self.app = app
        self.requests: list[Request] = []
        self.faults: deque[Reply] = deque()
        self.connections: set[socket.socket] = set()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _handler_for(self))
        self._server.daemon_threads = True
        self._server.block_on_close = False
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        assert isinstance(host, str)  # an IP address: these servers listen on 127.0.0.1
        return f"http://{host}:{port}"

    def fail_next(self, *replies: Reply) -> None:
        self.faults.extend(replies)

    def close_connections(self) -> None:
        """Hang up every kept-alive connection, as servers do after an idle while."""
        for connection in list(self.connections):
            with contextlib.suppress(OSError):
                connection.shutdown(socket.SHUT_RDWR)

    def paths(self) -> list[str]:
        return [request.path for request in self.requests]

    def answer(self, request: Request) -> Reply:
        self.requests.append(request)
        if self.faults:
            return self.faults.popleft()
        return self.app(request)

    def __enter__(self) -> LocalServer:
        self._thread.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._server.shutdown()
        self._server.server_close()


def _handler_for(server: LocalServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"  # keep-alive, as real servers do

        def setup(self) -> None:
            super().setup()
            server.connections.add(self.connection)

        def finish(self) -> None:
            server.connections.discard(self.connection)
            super().finish()

        def do_GET(self) -> None:
            self._serve()

        def do_POST(self) -> None:
            self._serve()

        def _serve(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            request = Request(
                self.command,
                self.path,
                dict(self.headers.items()),
                self.rfile.read(length),
                self.client_address[1],
            )
            reply = server.answer(request)
            time.sleep(reply.delay)
            try:
                self.send_response(reply.status)
                self.send_header("Content-Type", reply.content_type)
                self.send_header("Content-Length", str(len(reply.body)))
                for name, value in reply.headers.items():
                    self.send_header(name, value)
                self.end_headers()
                if reply.cut_after is not None:
                    self.wfile.write(reply.body[: reply.cut_after])
                    self.close_connection = True
                elif reply.drip:
                    for byte in reply.body:
                        self.wfile.write(bytes([byte]))
                        self.wfile.flush()
                        time.sleep(reply.drip)
                else:
                    self.wfile.write(reply.body)
            except (BrokenPipeError, ConnectionResetError):
                self.close_connection = True  # the client gave up waiting

        def log_message(self, format: str, *args: object) -> None:
            """Quiet: failures show in the test's assertions instead."""

    return Handler


# --- Esplora ------------------------------------------------------------------


class EsploraApp:
    """Esplora's routes over a list of real serialized blocks (index = height)."""

    def __init__(self, blocks: list[BuiltBlock]) -> None:
        self.blocks = blocks
        self.transactions: dict[str, dict[str, Any]] = {}
        self.mempool: dict[str, list[dict[str, Any]]] = {}

    def __call__(self, request: Request) -> Reply:
        path = request.path
        by_hash = {block.hash: (height, block) for height, block in enumerate(self.blocks)}
        if path == "/blocks/tip/hash":
            return text(self.blocks[-1].hash)
        if path == "/blocks/tip/height":
            return text(str(len(self.blocks) - 1))
        if match := re.fullmatch(r"/block-height/(\d+)", path):
            height = int(match[1])
            return (
                text(self.blocks[height].hash) if height < len(self.blocks) else _not_found("Block")
            )
        if match := re.fullmatch(r"/block/([0-9a-f]{64})(/raw)?", path):
            if match[1] not in by_hash:
                return _not_found("Block")
            height, block = by_hash[match[1]]
            if match[2]:
                return Reply(body=block.raw, content_type="application/octet-stream")
            return as_json(esplora_block_json(block, height))
        if match := re.fullmatch(r"/tx/([0-9a-f]{64})", path):
            found = self.transactions.get(match[1])
            return as_json(found) if found else _not_found("Transaction")
        if match := re.fullmatch(r"/address/([^/]+)/txs/mempool", path):
            return as_json(self.mempool.get(match[1], []))
        return _not_found("Endpoint")


def esplora_block_json(block: BuiltBlock, height: int) -> dict[str, Any]:
    answer: dict[str, Any] = {
        "id": block.hash,
        "height": height,
        "version": 536870912,
        "timestamp": 1700000000,
        "tx_count": len(block.txids),
        "size": len(block.raw),
        "weight": 4 * len(block.raw),
        "merkle_root": "00" * 32,
        "previousblockhash": block.prev_hash,
        "mediantime": 1700000000,
        "nonce": 0,
        "bits": 486604799,
        "difficulty": 1,
    }
    if height == 0:
        del answer["previousblockhash"]  # electrs leaves it out for the genesis block
    return answer


def esplora_tx_json(txid: str, outputs: list[tuple[str | None, int]]) -> dict[str, Any]:
    return {
        "txid": txid,
        "version": 2,
        "locktime": 0,
        "vin": [],
        "vout": [
            {
                "scriptpubkey": "",
                "scriptpubkey_asm": "",
                "scriptpubkey_type": "v0_p2wpkh" if address else "op_return",
                **({"scriptpubkey_address": address} if address else {}),
                "value": value,
            }
            for address, value in outputs
        ],
        "size": 200,
        "weight": 800,
        "fee": 1000,
        "status": {"confirmed": False},
    }


def _not_found(what: str) -> Reply:
    return text(f"{what} not found", 404)


# --- Bitcoin Core JSON-RPC ------------------------------------------------------


class RpcFailure(Exception):
    def __init__(self, code: int, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


class BitcoindApp:
    """Core's JSON-RPC over HTTP: basic auth, single and batch calls, Core's status codes.

    `methods` maps a method name to a function of its params returning the result
    or raising RpcFailure, like Core's handlers.
    """

    def __init__(self, methods: dict[str, Callable[..., Any]], *, user: str, password: str) -> None:
        self.methods = methods
        self.credentials = (user, password)

    def __call__(self, request: Request) -> Reply:
        if not self._authorized(request.headers.get("Authorization", "")):
            # Core answers a bad password with an empty 401 and this header.
            return Reply(401, b"", "text/html", {"WWW-Authenticate": 'Basic realm="jsonrpc"'})
        payload = json.loads(request.body)
        if isinstance(payload, list):
            return as_json([self._reply(call)[0] for call in payload])
        reply, status = self._reply(payload)
        return as_json(reply, status)

    def calls(self, requests: list[Request]) -> list[str]:
        names = []
        for request in requests:
            payload = json.loads(request.body)
            names += [
                call["method"] for call in (payload if isinstance(payload, list) else [payload])
            ]
        return names

    def _authorized(self, header: str) -> bool:
        if not header.startswith("Basic "):
            return False
        user, _, password = base64.b64decode(header[6:]).decode().partition(":")
        return (user, password) == self.credentials

    def _reply(self, call: dict[str, Any]) -> tuple[dict[str, Any], int]:
        method = self.methods.get(call["method"])
        if method is None:
            return _rpc_error(call, -32601, "Method not found"), 404
        try:
            result = method(*call.get("params", []))
        except RpcFailure as failure:
            return _rpc_error(call, failure.code, failure.message), 500
        return {"result": result, "error": None, "id": call["id"]}, 200


def _rpc_error(call: dict[str, Any], code: int, message: str) -> dict[str, Any]:
    return {"result": None, "error": {"code": code, "message": message}, "id": call["id"]}
