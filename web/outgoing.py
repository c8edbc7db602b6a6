"""Requests to a URL someone typed in, without letting them aim it at us.

Webhook endpoint URLs are chosen by creators, and so are the Lightning Address
providers (LNURL) Bitcache fetches invoices from: either could name this server's own
admin ports, the cloud metadata service or the operator's LAN. We resolve the host,
refuse unless every address it resolves to is public (or in the networks the operator
allows for that purpose: a `Reach`), then connect to one of those very addresses, so a
DNS answer that changes between check and connect cannot sneak a private address in.
Public hosts must listen on a web port. The whole attempt, from connecting to reading
the answer, ends at a deadline, however slowly the other side dribbles its bytes.

- `post` (webhooks) never follows a redirect: a 3xx is a failed delivery.
- `get_json` (LNURL) follows at most MAX_REDIRECTS redirects, each target checked like
  the first URL; it requires https (plain http only for .onion hosts, and for loopback
  when BITCACHE_LNURL_REQUIRE_HTTPS is off, as in tests and development), and refuses
  an answer larger than `max_bytes` without reading the rest.

What went wrong may be shown to a creator, so it names a category ("connection refused
or timed out"), never a resolved address or the socket's own error: a delivery log or a
"connect your wallet" form must not become a tool for mapping what the server can reach.
"""

from __future__ import annotations

import contextlib
import http.client
import ipaddress
import json
import logging
import socket
import ssl
import threading
import time
from dataclasses import dataclass
from functools import lru_cache
from urllib.parse import urljoin, urlsplit

from django.conf import settings

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
# A receiver answers with a status; we read this much of its body at most, then hang up.
MAX_RESPONSE_BYTES = 4096
MAX_CONNECT_SECONDS = 5.0
CONNECT_FAILED = "connection refused or timed out"
# get_json: redirects followed (each one checked like the first URL).
MAX_REDIRECTS = 3
# Public LNURL services answer on the web's ports; hosts on allowed networks on any port.
LNURL_PORTS = (443, 80)

logger = logging.getLogger(__name__)

# Special-purpose ranges (IANA's registries) that Python's `is_global` lets through
# in some versions, or that no receiver has any business in; refused whatever
# `is_global` says.
DENIED_NETWORKS = tuple(
    ipaddress.ip_network(cidr)
    for cidr in (
        "0.0.0.0/8",
        "10.0.0.0/8",
        "100.64.0.0/10",
        "127.0.0.0/8",
        "169.254.0.0/16",
        "172.16.0.0/12",
        "192.0.0.0/24",  # IETF protocol assignments
        "192.0.2.0/24",
        "192.88.99.0/24",  # 6to4 relay anycast
        "192.168.0.0/16",
        "198.18.0.0/15",
        "198.51.100.0/24",
        "203.0.113.0/24",
        "224.0.0.0/4",
        "240.0.0.0/4",
        "::/128",
        "::1/128",
        "100::/64",
        "2001::/23",  # IETF protocol assignments
        "2001:db8::/32",
        "3fff::/20",  # documentation
        "5f00::/16",  # segment routing (SRv6) SIDs
        "fc00::/7",
        "fe80::/10",
        "fec0::/10",  # site-local
        "ff00::/8",
    )
)


class OutgoingError(Exception):
    """The request could not be made or got no usable answer; the message is safe to show."""


@dataclass(frozen=True)
class Reach:
    """Where one kind of outgoing request may go.

    `purpose` names it in messages ("webhooks"); `allowed_networks` (CIDRs) may be
    reached although private, on any port; public hosts only on `allowed_ports`.
    `require_https`: for get_json, whether plain http to loopback is refused.
    """

    purpose: str
    allowed_networks: tuple[str, ...] = ()
    allowed_ports: tuple[int, ...] = (443, 80, 8443)
    require_https: bool = True


def webhook_reach() -> Reach:
    return Reach(
        purpose="webhooks",
        allowed_networks=tuple(settings.BITCACHE_WEBHOOK_ALLOWED_NETWORKS),
        allowed_ports=tuple(settings.BITCACHE_WEBHOOK_ALLOWED_PORTS),
        require_https=settings.BITCACHE_WEBHOOK_REQUIRE_HTTPS,
    )


def lnurl_reach() -> Reach:
    """Lightning Address (LNURL) providers: BITCACHE_LNURL_ALLOWED_NETWORKS, web ports."""
    return Reach(
        purpose="Lightning wallets",
        allowed_networks=tuple(settings.BITCACHE_LNURL_ALLOWED_NETWORKS),
        allowed_ports=LNURL_PORTS,
        require_https=settings.BITCACHE_LNURL_REQUIRE_HTTPS,
    )


def relay_reach() -> Reach:
    """Nostr relays named in a creator's wallet connection: like LNURL providers, plus the
    ports relays commonly listen on (wss://relay.example:7777)."""
    return Reach(
        purpose="Lightning wallets",
        allowed_networks=tuple(settings.BITCACHE_LNURL_ALLOWED_NETWORKS),
        allowed_ports=(*LNURL_PORTS, 7777),
    )


def socket_open(url: str, *, timeout: float, reach: Reach) -> socket.socket:
    """A TCP connection for a websocket URL (ws:// or wss://), made to an address the guard
    checked: the host is resolved once, every address it has must be allowed, and the
    socket connects to one of those, so a second lookup cannot point elsewhere. TLS, if
    any, is the caller's (the websocket client wraps this socket). OutgoingError when the
    guard refuses; OSError when every allowed address fails to answer."""
    parts = urlsplit(url)
    if parts.scheme not in ("ws", "wss") or not parts.hostname:
        raise OutgoingError("not a ws:// or wss:// URL")
    try:
        port = parts.port or (443 if parts.scheme == "wss" else 80)
    except ValueError:
        raise OutgoingError("invalid port") from None
    failure: OSError | None = None
    for address in resolve(parts.hostname, port, reach):
        try:
            return socket.create_connection((str(address), port), timeout=timeout)
        except OSError as exc:
            logger.info("connection to %s (%s) failed: %r", parts.hostname, address, exc)
            failure = exc
    # Allowed but not answering: a connection failure (the caller may retry), not a refusal.
    raise failure or OSError(CONNECT_FAILED)


@lru_cache(maxsize=8)
def _allowed_networks(
    cidrs: tuple[str, ...],
) -> tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...]:
    return tuple(ipaddress.ip_network(cidr, strict=False) for cidr in cidrs)


def address_allowed(address: IPAddress, allowed_networks: tuple[str, ...] = ()) -> bool:
    """Public unicast addresses, and those of the networks the operator allows."""
    if _in_allowed_networks(address, allowed_networks):
        return True
    if isinstance(address, ipaddress.IPv6Address):
        embedded = _embedded_ipv4(address)
        if embedded is not None:
            return address_allowed(embedded, allowed_networks)
    if any(address in network for network in DENIED_NETWORKS):
        return False
    return address.is_global and not address.is_multicast


def _in_allowed_networks(address: IPAddress, allowed_networks: tuple[str, ...]) -> bool:
    return any(address in network for network in _allowed_networks(allowed_networks))


def port_allowed(
    port: int,
    addresses: list[IPAddress] | None = None,
    *,
    allowed_ports: tuple[int, ...],
    allowed_networks: tuple[str, ...] = (),
) -> bool:
    """A web port, or any port on a network the operator allows (all of `addresses`)."""
    if port in allowed_ports:
        return True
    if not addresses:
        return False
    return all(_in_allowed_networks(address, allowed_networks) for address in addresses)


# IPv6 forms that carry an IPv4 address a gateway may route to: IPv4-compatible (::/96),
# NAT64 (64:ff9b::/96 and the local-use 64:ff9b:1::/48), and the 6to4 and Teredo
# transition prefixes. The IPv4 address inside must itself be allowed.
_IPV4_COMPATIBLE = ipaddress.ip_network("::/96")
_NAT64 = (ipaddress.ip_network("64:ff9b::/96"), ipaddress.ip_network("64:ff9b:1::/48"))


def _embedded_ipv4(address: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    if address.ipv4_mapped is not None:
        return address.ipv4_mapped
    if address.sixtofour is not None:
        return address.sixtofour
    if address.teredo is not None:
        return address.teredo[1]  # (server, client): the client is the one reached
    if address in _IPV4_COMPATIBLE or any(address in network for network in _NAT64):
        return ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    return None


def resolve(host: str, port: int, reach: Reach) -> list[IPAddress]:
    """Every address `host` resolves to, all of them allowed, or OutgoingError."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError):
        raise OutgoingError(f"cannot resolve {host}") from None
    # An IPv6 link-local answer carries its zone ("fe80::1%eth0"); the address is before it.
    addresses = list(
        dict.fromkeys(ipaddress.ip_address(str(info[4][0]).split("%")[0]) for info in infos)
    )
    for address in addresses:
        if not address_allowed(address, reach.allowed_networks):
            logger.info("%s: host %s resolves to refused address %s", reach.purpose, host, address)
            raise OutgoingError(f"{host} resolves to an address {reach.purpose} may not reach")
    if not port_allowed(
        port,
        addresses,
        allowed_ports=reach.allowed_ports,
        allowed_networks=reach.allowed_networks,
    ):
        raise OutgoingError(f"port {port} is not allowed for {reach.purpose}")
    return addresses


class _Deadline:
    """The end of a whole attempt: connect, TLS handshake, sending and reading together.

    A socket timeout bounds one read or write, not the attempt: a receiver sending a byte
    every few seconds would hold the worker for as long as it likes. So at the deadline a
    timer thread shuts every socket of the attempt down, which ends whatever call is
    blocked on it.
    """

    def __init__(self, seconds: float, *, of: float | None = None) -> None:
        self.seconds = seconds
        # What the caller allowed in all (get_json's redirects share one timeout).
        self.allowed = of if of is not None else seconds
        self.at = time.monotonic() + seconds
        self.expired = False
        self._sockets: list[socket.socket] = []
        self._lock = threading.Lock()
        self._timer = threading.Timer(seconds, self._expire)
        self._timer.daemon = True

    def __enter__(self) -> _Deadline:
        self._timer.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._timer.cancel()

    def remaining(self) -> float:
        return max(self.at - time.monotonic(), 0.0)

    def watch(self, sock: socket.socket) -> None:
        with self._lock:
            self._sockets.append(sock)
            if self.expired:
                _shut(sock)

    def _expire(self) -> None:
        with self._lock:
            self.expired = True
            for sock in self._sockets:
                _shut(sock)


def _shut(sock: socket.socket) -> None:
    # The plain socket's shutdown, also for a TLS socket: it acts on the descriptor
    # without touching the TLS state another thread is using. OSError: already closed.
    with contextlib.suppress(OSError):
        socket.socket.shutdown(sock, socket.SHUT_RDWR)


class _PinnedHTTPConnection(http.client.HTTPConnection):
    def __init__(self, host: str, port: int, *, address: IPAddress, deadline: _Deadline) -> None:
        super().__init__(host, port, timeout=deadline.seconds)
        self.address = address
        self.deadline = deadline

    def connect(self) -> None:
        remaining = self.deadline.remaining()
        if not remaining:
            raise TimeoutError
        self.sock = socket.create_connection(
            (str(self.address), self.port), min(remaining, MAX_CONNECT_SECONDS)
        )
        self.deadline.watch(self.sock)
        self.sock.settimeout(self.deadline.remaining() or 0.001)


class _PinnedHTTPSConnection(_PinnedHTTPConnection):
    def connect(self) -> None:
        super().connect()
        # The certificate is checked against the URL's host name, not the address.
        context = ssl.create_default_context()
        self.sock = context.wrap_socket(self.sock, server_hostname=self.host)
        self.deadline.watch(self.sock)


def post(url: str, body: bytes, headers: dict[str, str], *, timeout: float, reach: Reach) -> int:
    """POST `body` to `url`; returns the answer's HTTP status, or raises OutgoingError.

    `timeout` bounds the whole attempt after the host name is resolved (see _Deadline).
    """
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise OutgoingError("not an http(s) URL")
    port = parts.port or (443 if parts.scheme == "https" else 80)
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    addresses = resolve(parts.hostname, port, reach)
    with _Deadline(timeout) as deadline:
        connection = _connect(parts.scheme, parts.hostname, port, addresses, deadline)
        try:
            connection.request("POST", path, body=body, headers=headers)
            response = connection.getresponse()
            response.read(MAX_RESPONSE_BYTES)
            return response.status
        except (OSError, http.client.HTTPException) as exc:
            logger.info("%s: POST to %s failed: %r", reach.purpose, url, exc)
            raise OutgoingError(_describe_answer(exc, deadline)) from None
        finally:
            connection.close()


def _loopback(address: IPAddress) -> bool:
    embedded = _embedded_ipv4(address) if isinstance(address, ipaddress.IPv6Address) else None
    return address.is_loopback or (embedded is not None and embedded.is_loopback)


def get_json(url: str, *, timeout: float, max_bytes: int, reach: Reach | None = None) -> object:
    """GET `url` and parse its JSON answer (an LNURL service's), or raise OutgoingError.

    https only; plain http for a .onion host (Tor encrypts), or for loopback hosts when
    `reach.require_https` is off (tests, development). Redirects are followed up to
    MAX_REDIRECTS times, each target checked again (scheme, addresses, port). The answer
    must be a 200 of at most `max_bytes` bytes. `timeout` bounds all the attempts
    together. `reach` defaults to lnurl_reach().
    """
    reach = reach or lnurl_reach()
    ends_at = time.monotonic() + timeout
    for _hop in range(MAX_REDIRECTS + 1):
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise OutgoingError("not an https URL")
        if parts.username or parts.password:
            raise OutgoingError("URLs with credentials are not fetched")
        port = parts.port or (443 if parts.scheme == "https" else 80)
        host = parts.hostname
        addresses = resolve(host, port, reach)
        plain_http_allowed = host.endswith(".onion") or (
            not reach.require_https and all(_loopback(address) for address in addresses)
        )
        if parts.scheme == "http" and not plain_http_allowed:
            raise OutgoingError("not an https URL")
        remaining = ends_at - time.monotonic()
        if remaining <= 0:
            raise OutgoingError(f"no answer within {timeout:g}s")
        path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        status, location, body = _get(
            parts.scheme, host, port, path, addresses, (remaining, timeout), max_bytes, reach
        )
        if status in (301, 302, 303, 307, 308) and location:
            url = urljoin(url, location)
            continue
        if status != 200:
            raise OutgoingError(f"answered HTTP {status}")
        try:
            return json.loads(body)
        except ValueError:
            raise OutgoingError("the answer is not JSON") from None
    raise OutgoingError("too many redirects")


def _get(
    scheme: str,
    host: str,
    port: int,
    path: str,
    addresses: list[IPAddress],
    seconds: tuple[float, float],
    max_bytes: int,
    reach: Reach,
) -> tuple[int, str, bytes]:
    """One GET within (seconds left, seconds allowed in all): (status, Location, body)."""
    headers = {"Accept": "application/json", "User-Agent": "Bitcache"}
    with _Deadline(seconds[0], of=seconds[1]) as deadline:
        connection = _connect(scheme, host, port, addresses, deadline)
        try:
            connection.request("GET", path, headers=headers)
            response = connection.getresponse()
            length = response.getheader("Content-Length")
            if length is not None and length.isdigit() and int(length) > max_bytes:
                raise OutgoingError(f"the answer is larger than {max_bytes} bytes")
            body = response.read(max_bytes + 1)
            if len(body) > max_bytes:
                raise OutgoingError(f"the answer is larger than {max_bytes} bytes")
            return response.status, response.getheader("Location") or "", body
        except (OSError, http.client.HTTPException) as exc:
            logger.info("%s: GET %s%s failed: %r", reach.purpose, host, path, exc)
            raise OutgoingError(_describe_answer(exc, deadline)) from None
        finally:
            connection.close()


def _connect(
    scheme: str, host: str, port: int, addresses: list[IPAddress], deadline: _Deadline
) -> _PinnedHTTPConnection:
    """A connection to the first of the host's (allowed) addresses that answers."""
    connection_class = _PinnedHTTPSConnection if scheme == "https" else _PinnedHTTPConnection
    problem = CONNECT_FAILED
    for address in addresses:
        connection = connection_class(host, port, address=address, deadline=deadline)
        try:
            connection.connect()
        except OSError as exc:
            connection.close()
            logger.info("connection to %s (%s) failed: %r", host, address, exc)
            problem = "TLS handshake failed" if isinstance(exc, ssl.SSLError) else CONNECT_FAILED
        else:
            return connection
    raise OutgoingError(problem)


def _describe_answer(exc: BaseException, deadline: _Deadline) -> str:
    """What went wrong after connecting: the receiver was slow, or hung up."""
    if deadline.expired or isinstance(exc, TimeoutError):
        return f"no answer within {deadline.allowed:g}s"
    return "the connection closed before an answer"
