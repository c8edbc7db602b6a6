"""Secrets we must keep but never show: sealed at rest with keys from settings.

A wallet connection secret (NWC client key, Lightning Address verify credentials) is a
credential: a copy of the database alone must not reveal it. `seal` encrypts with the
first key of BITCACHE_SEALING_KEYS and `unseal` accepts any of them, so keys rotate by
putting a new key first, running `manage.py reseal`, then dropping the old one.

Fernet (AES-128-CBC + HMAC-SHA256, from `cryptography`) rather than hand-written crypto:
authenticated, versioned tokens, and MultiFernet does the rotation.
"""

from __future__ import annotations

import base64
import hashlib
from functools import cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings


class SealBroken(ValueError):
    """A sealed value none of the configured keys opens (a dropped key, or tampering)."""


def key_from_passphrase(passphrase: str) -> str:
    """A Fernet key derived from any string (development: from SECRET_KEY)."""
    digest = hashlib.sha256(b"bitcache-sealing:" + passphrase.encode()).digest()
    return base64.urlsafe_b64encode(digest).decode()


def sealing_key_valid(key: str) -> bool:
    try:
        Fernet(key.encode())
    except ValueError:
        return False
    return True


@cache
def _fernet(keys: tuple[str, ...]) -> MultiFernet:
    return MultiFernet([Fernet(key.encode()) for key in keys])


def _box() -> MultiFernet:
    return _fernet(tuple(settings.BITCACHE_SEALING_KEYS))


def seal(secret: str) -> str:
    return _box().encrypt(secret.encode()).decode()


def unseal(token: str) -> str:
    try:
        return _box().decrypt(token.encode()).decode()
    except InvalidToken:
        raise SealBroken("no configured sealing key opens this value") from None


def reseal(token: str) -> str:
    """The same secret sealed under the current first key (for key rotation)."""
    try:
        return _box().rotate(token.encode()).decode()
    except InvalidToken:
        raise SealBroken("no configured sealing key opens this value") from None
