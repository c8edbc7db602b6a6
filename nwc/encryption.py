"""Encrypted payloads between two nostr keys: NIP-44 v2, and NIP-04 for legacy wallets.

NIP-47 wallets announce the schemes they speak; Bitcache uses NIP-44 v2 and falls back to
NIP-04 only for a wallet that announces nothing else (NIP-04 is unauthenticated AES-CBC).
"""

from __future__ import annotations

from typing import Literal

import nostr_sdk

from nwc.events import is_hex32

Scheme = Literal["nip44_v2", "nip04"]
SCHEMES: tuple[Scheme, ...] = ("nip44_v2", "nip04")


class DecryptionFailed(ValueError):
    """A payload that does not decrypt (wrong key, altered, or not a payload at all)."""


def _pair(secret_key: str, peer_public_key: str) -> tuple[nostr_sdk.SecretKey, nostr_sdk.PublicKey]:
    if not is_hex32(secret_key) or not is_hex32(peer_public_key):
        raise ValueError("Keys are 32 bytes of lowercase hex.")
    try:
        return nostr_sdk.SecretKey.parse(secret_key), nostr_sdk.PublicKey.parse(peer_public_key)
    except nostr_sdk.NostrSdkError:
        raise ValueError("That is not a valid secp256k1 key.") from None


def encrypt(secret_key: str, peer_public_key: str, plaintext: str, *, scheme: Scheme) -> str:
    secret, peer = _pair(secret_key, peer_public_key)
    try:
        if scheme == "nip44_v2":
            return str(nostr_sdk.nip44_encrypt(secret, peer, plaintext, nostr_sdk.Nip44Version.V2))
        return str(nostr_sdk.nip04_encrypt(secret, peer, plaintext))
    except nostr_sdk.NostrSdkError:
        # NIP-44 refuses empty and over-long (> 65535 bytes) plaintexts, and points off the curve.
        raise ValueError("That message cannot be encrypted to that key.") from None


def decrypt(secret_key: str, peer_public_key: str, payload: str, *, scheme: Scheme) -> str:
    try:
        secret, peer = _pair(secret_key, peer_public_key)
        if scheme == "nip44_v2":
            return str(nostr_sdk.nip44_decrypt(secret, peer, payload))
        return str(nostr_sdk.nip04_decrypt(secret, peer, payload))
    except (nostr_sdk.NostrSdkError, ValueError):
        raise DecryptionFailed("The payload does not decrypt with these keys.") from None


def scheme_of(payload: str) -> Scheme:
    """Which scheme produced a payload: NIP-04's carry "?iv=", NIP-44's are plain base64."""
    return "nip04" if "?iv=" in payload else "nip44_v2"
