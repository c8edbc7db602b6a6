"""A small HTTP client for chain sources, on the standard library.

Chain sources are polled by background workers that must never hang and must
tell an operator what is wrong without leaking secrets into logs or /healthz. So
every request has a connect timeout, a timeout on each wait for data and a
deadline for the whole exchange; transient failures (connection errors,
timeouts, 429 and 5xx answers) are retried a bounded number of times with
exponential backoff and jitter; bodies are capped in size; and every error names
the source and host but never the credentials or the configured URL's path
(hosted Esplora providers put API keys there).
"""

from __future__ import annotations

import base64
import http.client
import json
import random
import re
import socket
import ssl
import threading
import time
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any
from urllib.parse import unquote, urlsplit

from .base import ChainSourceError

MiB = 1024 * 1024
_CHUNK = 64 * 1024
# How long connecting (TCP and TLS handshake) may take at most; a reachable host
# answers in milliseconds, and a long read timeout should not slow down failover.
_MAX_CONNECT_SECONDS = 5.0
# A whole exchange may take this many read timeouts: a 4 MB block over a slow link
# needs longer than one, a server dripping a byte at a time gets cut off.
_TOTAL_READ_TIMEOUTS = 3


@dataclass(frozen=True, slots=True)
class Timeouts:
    connect: float
    read: float
    total: float

    @classmethod
    def from_seconds(cls, seconds: float) -> Timeouts:
        """The timeouts for BITCACHE_CHAIN_TIMEOUT_SECONDS."""
        return cls(
            connect=min(seconds, _MAX_CONNECT_SECONDS),
            read=seconds,
            total=seconds * _TOTAL_READ_TIMEOUTS,
        )


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    attempts: int = 3
    base_delay: float = 0.5
    max_delay: float = 8.0

    def delay(self, failures: int) -> float:
        """Seconds to wait after `failures` failed attempts: doubling, half of it random.

        The jitter keeps several workers that failed together from retrying in lockstep.
        """
        ceiling = min(self.max_delay, self.base_delay * 2 ** (failures - 1))
        return ceiling / 2 + random.uniform(0, ceiling / 2)


@dataclass(frozen=True, slots=True)
class Endpoint:
    """A parsed base URL, with the credentials held apart from everything printable."""

    scheme: str
    host: str
    port: int
    base_path: str
    username: str | None
    password: str | None

    @classmethod
    def parse(cls, url: str) -> Endpoint:
        """Raises ValueError (without echoing the URL, which may hold a password)."""
        parts = urlsplit(url.strip())
        if parts.scheme not in ("http", "https"):
            raise ValueError("the URL must start with http:// or https://")
        if not parts.hostname:
            raise ValueError("the URL has no host")
        if parts.query or parts.fragment:
            raise ValueError("the URL must not have a query string or fragment")
        try:
            port = parts.port or (443 if parts.scheme == "https" else 80)
        except ValueError:
            raise ValueError("the URL has an invalid port") from None
        return cls(
            scheme=parts.scheme,
            host=parts.hostname,
            port=port,
            base_path=parts.path.rstrip("/"),
            username=unquote(parts.username) if parts.username is not None else None,
            password=unquote(parts.password) if parts.password is not None else None,
        )

    @property
    def display(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"{host}:{self.port}"


def basic_auth(username: str, password: str) -> str:
    token = base64.b64encode(f"{username}:{password}".encode()).decode("ascii")
    return f"Basic {token}"


@dataclass(frozen=True, slots=True)
class HttpResponse:
    status: int
    body: bytes


_STALE_CONNECTION_ERRORS = (
    http.client.RemoteDisconnected,
    BrokenPipeError,
    ConnectionResetError,
)


class _Retryable(Exception):
    """A failed attempt worth repeating; its message is already safe to show."""


class HttpClient:
    """Requests to one host, reusing one keep-alive connection. Safe to share between threads."""

    def __init__(
        self,
        endpoint: Endpoint,
        *,
        label: str,
        timeouts: Timeouts,
        retry: RetryPolicy | None = None,
        max_response_bytes: int = 32 * MiB,
    ) -> None:
        self.endpoint = endpoint
        self.label = label
        self.timeouts = timeouts
        self.retry = retry or RetryPolicy()
        self.max_response_bytes = max_response_bytes
        self._lock = threading.Lock()
        self._connection: http.client.HTTPConnection | None = None

    def request(
        self,
        method: str,
        path: str,
        *,
        body: bytes | None = None,
        headers: Mapping[str, str] | None = None,
        accept: Collection[int] = (200,),
    ) -> HttpResponse:
        """Send `method path` (relative to the base URL) and return an answer in `accept`.

        Other answers raise ChainSourceError, after retries when they may be transient.
        """
        all_headers = {"Accept-Encoding": "identity", "User-Agent": "bitcache"}
        if self.endpoint.username is not None:
            all_headers["Authorization"] = basic_auth(
                self.endpoint.username, self.endpoint.password or ""
            )
        all_headers.update(headers or {})
        what = f"{method} {path}"
        failures = 0
        while True:
            try:
                with self._lock:
                    response = self._attempt(method, path, body, all_headers)
                if response.status in accept:
                    return response
                if response.status != 429 and response.status < 500:
                    raise self.error(f"answered HTTP {response.status} ({what})")
                problem = f"answered HTTP {response.status}"
            except _Retryable as exc:
                problem = str(exc)
            failures += 1
            if failures >= self.retry.attempts:
                raise self.error(f"{problem} ({what}; gave up after {failures} attempts)")
            time.sleep(self.retry.delay(failures))

    def error(self, problem: str) -> ChainSourceError:
        return ChainSourceError(f"{self.label} at {self.endpoint.display}: {problem}")

    def _attempt(
        self, method: str, path: str, body: bytes | None, headers: Mapping[str, str]
    ) -> HttpResponse:
        deadline = time.monotonic() + self.timeouts.total
        reused = self._connection is not None
        try:
            connection = self._connect()
        except TimeoutError:
            raise _Retryable(f"no connection within {self.timeouts.connect:g}s") from None
        except OSError as exc:
            raise _Retryable(_describe(exc)) from None
        try:
            connection.request(method, self.endpoint.base_path + path, body=body, headers=headers)
            # Held here: for a response that ends the connection, getresponse() lets go of it.
            sock = connection.sock
            assert sock is not None
            response = connection.getresponse()
            payload = self._read_body(sock, response, deadline)
        except TimeoutError:
            self._drop_connection()
            raise _Retryable(f"no answer within {self.timeouts.read:g}s") from None
        except (OSError, http.client.HTTPException) as exc:
            self._drop_connection()
            # A kept-alive connection the server has meanwhile closed fails at once;
            # that says nothing about the server, so try again on a fresh one.
            if reused and isinstance(exc, _STALE_CONNECTION_ERRORS):
                return self._attempt(method, path, body, headers)
            raise _Retryable(_describe(exc)) from None
        except (ChainSourceError, _Retryable):
            self._drop_connection()
            raise
        if response.will_close:
            self._drop_connection()
        return HttpResponse(response.status, payload)

    def _connect(self) -> http.client.HTTPConnection:
        if self._connection is None:
            host, port = self.endpoint.host, self.endpoint.port
            connection = (
                http.client.HTTPSConnection(
                    host, port, timeout=self.timeouts.connect, context=ssl.create_default_context()
                )
                if self.endpoint.scheme == "https"
                else http.client.HTTPConnection(host, port, timeout=self.timeouts.connect)
            )
            try:
                connection.connect()
            except BaseException:
                connection.close()
                raise
            self._connection = connection
        assert self._connection.sock is not None
        self._connection.sock.settimeout(self.timeouts.read)
        return self._connection

    def _read_body(
        self,
        sock: socket.socket,
        response: http.client.HTTPResponse,
        deadline: float,
    ) -> bytes:
        declared = response.getheader("Content-Length")
        expected = int(declared) if declared and declared.isdigit() else None
        if expected is not None and expected > self.max_response_bytes:
            raise self.error(
                f"answer too large ({expected} bytes, limit {self.max_response_bytes})"
            )
        chunks: list[bytes] = []
        size = 0
        too_slow = _Retryable(f"answer not complete within {self.timeouts.total:g}s")
        while expected is None or size < expected:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise too_slow
            sock.settimeout(min(self.timeouts.read, remaining))
            # read1 waits for the socket at most once, so the deadline is checked often.
            try:
                chunk = response.read1(_CHUNK)
            except TimeoutError:
                if time.monotonic() < deadline:
                    raise
                raise too_slow from None
            if not chunk:
                break
            size += len(chunk)
            if size > self.max_response_bytes:
                raise self.error(f"answer too large (over {self.max_response_bytes} bytes)")
            chunks.append(chunk)
        if expected is not None and size != expected:
            raise _Retryable(f"answer cut short ({size} of {expected} bytes)")
        response.close()  # done with this answer: the connection may carry the next request
        return b"".join(chunks)

    def _drop_connection(self) -> None:
        if self._connection is not None:
            self._connection.close()
            self._connection = None


def _describe(exc: BaseException) -> str:
    """A short reason for a transport failure; these never contain the request's headers."""
    if isinstance(exc, ConnectionRefusedError):
        return "connection refused"
    if isinstance(exc, http.client.RemoteDisconnected):
        return "closed the connection without answering"
    if isinstance(exc, http.client.IncompleteRead):
        return "answer cut short"
    if isinstance(exc, ssl.SSLError):
        return f"TLS error: {exc.reason or exc}"
    reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
    return f"{type(exc).__name__}: {reason}" if reason else type(exc).__name__


# --- Reading answers ----------------------------------------------------------
# Parsers index into decoded JSON as if it had the documented shape; on anything
# else Python raises one of these, which each adapter turns into a ChainSourceError
# naming the request.

ANSWER_ERRORS = (ValueError, TypeError, KeyError, IndexError, AttributeError)
_HASH = re.compile(r"[0-9a-f]{64}")


def require_hash(value: object, what: str = "hash") -> str:
    """A block hash or txid: 64 lowercase hex digits."""
    if not isinstance(value, str) or not _HASH.fullmatch(value):
        raise ValueError(f"{what} is not a 64-digit hex hash: {str(value)[:80]!r}")
    return value


def require_int(value: object, what: str, *, minimum: int = 0) -> int:
    # JSON true/false are ints to Python; a height or amount never is.
    if not isinstance(value, int) or isinstance(value, bool) or value < minimum:
        raise ValueError(f"{what} is not a whole number >= {minimum}: {str(value)[:80]!r}")
    return value


def decode_json(body: bytes, *, decimals: bool = False) -> Any:
    """Parse JSON; with `decimals`, numbers with a fraction become exact Decimals, not floats."""
    try:
        return json.loads(
            body,
            parse_float=Decimal if decimals else float,
            parse_constant=_refuse_constant,
        )
    except RecursionError:
        raise ValueError("JSON nested too deeply") from None


def _refuse_constant(name: str) -> Any:
    raise ValueError(f"JSON has {name}, which is not a number")


# --- JSON-RPC (Bitcoin Core) --------------------------------------------------


class RpcError(ChainSourceError):
    """The node answered the call with an error object."""

    def __init__(self, message: str, *, code: int) -> None:
        super().__init__(message)
        self.code = code


class JsonRpcClient:
    """Bitcoin Core's JSON-RPC over HTTP: single calls and batches.

    Core answers an error with HTTP 500 (404 for an unknown method) and an error
    object in the body; both are answers, not outages, so they are not retried.
    `authorization` is called for every request because Core rewrites its cookie
    file whenever it restarts.
    """

    def __init__(self, http: HttpClient, *, authorization: Callable[[], str | None]) -> None:
        self.http = http
        self._authorization = authorization

    def call(self, method: str, *params: Any) -> Any:
        """The call's result; an error answer raises RpcError."""
        (reply,) = self.batch([(method, list(params))])
        if isinstance(reply, RpcError):
            raise reply
        return reply

    def batch(self, calls: Sequence[tuple[str, list[Any]]]) -> list[Any]:
        """Results of `calls` in one request, in order; failed calls give their RpcError."""
        if not calls:
            return []
        payload = [
            {"jsonrpc": "1.0", "id": number, "method": method, "params": params}
            for number, (method, params) in enumerate(calls)
        ]
        single = len(calls) == 1
        body = json.dumps(payload[0] if single else payload).encode()
        names = ", ".join(sorted({method for method, _ in calls}))
        headers = {"Content-Type": "application/json"}
        authorization = self._authorization()
        if authorization is not None:
            headers["Authorization"] = authorization
        response = self.http.request(
            "POST", "/", body=body, headers=headers, accept=(200, 401, 403, 404, 500)
        )
        if response.status == 401:
            raise self.http.error(
                "bitcoind rejected the credentials (check the user and password in "
                "BITCACHE_BITCOIND_URL, or BITCACHE_BITCOIND_COOKIE_FILE)"
            )
        if response.status == 403:
            raise self.http.error("bitcoind refused this client (see its rpcallowip setting)")
        try:
            replies = decode_json(response.body, decimals=True)
            if single:
                replies = [replies]
            if not isinstance(replies, list) or len(replies) != len(calls):
                raise ValueError("not one reply per call")
            by_id = {reply["id"]: reply for reply in replies}
            return [
                self._outcome(method, by_id[number]) for number, (method, _) in enumerate(calls)
            ]
        except ANSWER_ERRORS as exc:
            raise self.http.error(
                f"unexpected answer to {names} (HTTP {response.status}): {exc}"
            ) from None

    def _outcome(self, method: str, reply: dict[str, Any]) -> Any:
        error = reply.get("error")
        if error is None:
            return reply["result"]
        code = require_int(error["code"], "error code", minimum=-(2**31))
        message = str(error.get("message", ""))[:300]
        return RpcError(
            f"{self.http.label} at {self.http.endpoint.display}: {method} failed: {message} "
            f"(code {code})",
            code=code,
        )
