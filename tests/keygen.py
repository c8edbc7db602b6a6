"""Fresh random watch-only keys for tests: every test creator gets its own wallet."""

from __future__ import annotations

import hashlib
import secrets

import coincurve

_B58 = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"
XPUB_VERSION = bytes.fromhex("0488b21e")


def _base58check(payload: bytes) -> str:
    data = payload + hashlib.sha256(hashlib.sha256(payload).digest()).digest()[:4]
    number = int.from_bytes(data, "big")
    text = ""
    while number:
        number, digit = divmod(number, 58)
        text = _B58[digit] + text
    return "1" * (len(data) - len(data.lstrip(b"\0"))) + text


def random_xpub(depth: int = 3) -> str:
    """A valid mainnet xpub nobody will ever spend from (its private key is thrown away)."""
    public_key = coincurve.PrivateKey(secrets.token_bytes(32)).public_key.format(compressed=True)
    payload = (
        XPUB_VERSION
        + bytes([depth])
        + secrets.token_bytes(4)  # parent fingerprint
        + (0x80000000).to_bytes(4, "big")  # child number (hardened 0)
        + secrets.token_bytes(32)  # chain code
        + public_key
    )
    return _base58check(payload)


def random_wpkh_descriptor() -> str:
    return f"wpkh({random_xpub()}/<0;1>/*)"
