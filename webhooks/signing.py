"""How a delivery is signed; docs/api.md shows receivers how to check it."""

from __future__ import annotations

import hashlib
import hmac

SIGNATURE_HEADER = "X-Bitcache-Signature"
TIMESTAMP_HEADER = "X-Bitcache-Timestamp"
EVENT_HEADER = "X-Bitcache-Event"


def signature(secret: str, timestamp: int, body: bytes) -> str:
    """Hex HMAC-SHA256 of "{timestamp}.{body}" with the endpoint's secret.

    The timestamp is signed with the body so a captured delivery cannot be replayed
    later with a fresh timestamp.
    """
    message = f"{timestamp}.".encode() + body
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()
