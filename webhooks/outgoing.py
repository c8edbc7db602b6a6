"""Posting a delivery to a creator's endpoint, through the SSRF guard in web.outgoing.

The guard (resolve, check every address, connect to a checked address, one deadline for
the whole attempt, no redirects) lives in web/ so that payments can fetch Lightning
Address (LNURL) answers through it too; this module applies the webhook settings:
BITCACHE_WEBHOOK_ALLOWED_NETWORKS and BITCACHE_WEBHOOK_ALLOWED_PORTS.
"""

from __future__ import annotations

import socket  # noqa: F401 - tests patch outgoing.socket.create_connection

from web import outgoing as _guard
from web.outgoing import IPAddress, webhook_reach

# The webhook name for the guard's error (its message is safe to show the creator).
DeliveryError = _guard.OutgoingError
MAX_RESPONSE_BYTES = _guard.MAX_RESPONSE_BYTES

__all__ = ["DeliveryError", "address_allowed", "port_allowed", "post", "resolve"]


def address_allowed(address: IPAddress) -> bool:
    """Public unicast addresses, and those of BITCACHE_WEBHOOK_ALLOWED_NETWORKS."""
    return _guard.address_allowed(address, webhook_reach().allowed_networks)


def port_allowed(port: int, addresses: list[IPAddress] | None = None) -> bool:
    """A web port, or any port on a network the operator allows (all of `addresses`)."""
    reach = webhook_reach()
    return _guard.port_allowed(
        port,
        addresses,
        allowed_ports=reach.allowed_ports,
        allowed_networks=reach.allowed_networks,
    )


def resolve(host: str, port: int) -> list[IPAddress]:
    """Every address `host` resolves to, all of them allowed for webhooks, or DeliveryError."""
    return _guard.resolve(host, port, webhook_reach())


def post(url: str, body: bytes, headers: dict[str, str], *, timeout: float) -> int:
    """POST a delivery; the answer's HTTP status, or DeliveryError (see web.outgoing.post)."""
    return _guard.post(url, body, headers, timeout=timeout, reach=webhook_reach())
