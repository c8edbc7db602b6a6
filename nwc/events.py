"""Nostr events (NIP-01): sign one with a key, or parse one and verify who signed it."""

from __future__ import annotations

import json
import re
import secrets
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import cast

import nostr_sdk

_HEX32 = re.compile(r"[0-9a-f]{64}")
_HEX64 = re.compile(r"[0-9a-f]{128}")
# Far more than any NIP-47/57 event needs; bounds the work a hostile relay can cause.
MAX_EVENT_JSON = 128 * 1024


class EventRefused(ValueError):
    """An event that must not be acted on: malformed, wrongly signed, or from the wrong key."""


def is_hex32(value: object) -> bool:
    return isinstance(value, str) and _HEX32.fullmatch(value) is not None


@dataclass(frozen=True, slots=True)
class Event:
    id: str
    pubkey: str
    created_at: int
    kind: int
    tags: tuple[tuple[str, ...], ...]
    content: str
    sig: str

    def tag_values(self, name: str) -> list[str]:
        """The first value of every `name` tag, in order."""
        return [tag[1] for tag in self.tags if len(tag) >= 2 and tag[0] == name]

    def tag(self, name: str) -> tuple[str, ...] | None:
        """The first `name` tag whole, or None."""
        return next((tag for tag in self.tags if tag and tag[0] == name), None)

    def as_dict(self) -> dict[str, object]:
        return {
            "id": self.id,
            "pubkey": self.pubkey,
            "created_at": self.created_at,
            "kind": self.kind,
            "tags": [list(tag) for tag in self.tags],
            "content": self.content,
            "sig": self.sig,
        }

    def as_json(self) -> str:
        return json.dumps(self.as_dict(), ensure_ascii=False, separators=(",", ":"))


def secret_key_generate() -> str:
    """A fresh secret key (hex). Never log it."""
    while True:
        candidate = secrets.token_hex(32)
        try:
            public_key_of(candidate)
        except ValueError:  # zero or above the curve order: vanishingly rare
            continue
        return candidate


def _keys(secret_key: str) -> nostr_sdk.Keys:
    if not is_hex32(secret_key):
        raise ValueError("A nostr secret key is 32 bytes of lowercase hex.")
    try:
        return nostr_sdk.Keys.parse(secret_key)
    except nostr_sdk.NostrSdkError:
        raise ValueError("That is not a valid secp256k1 secret key.") from None


def public_key_of(secret_key: str) -> str:
    """The x-only public key (hex) of a secret key."""
    return str(_keys(secret_key).public_key().to_hex())


def event_sign(
    secret_key: str,
    *,
    kind: int,
    content: str,
    created_at: int,
    tags: Sequence[Sequence[str]] = (),
) -> Event:
    """A signed event (id and BIP340 signature computed by rust-nostr)."""
    builder = (
        nostr_sdk.EventBuilder(nostr_sdk.Kind(kind), content)
        .tags([nostr_sdk.Tag.parse(list(tag)) for tag in tags])
        .custom_created_at(nostr_sdk.Timestamp.from_secs(created_at))
    )
    signed = builder.finalize(_keys(secret_key))
    return _from_dict(json.loads(str(signed.as_json())))


def _from_dict(data: Mapping[str, object]) -> Event:
    tags = data.get("tags")
    if not (
        is_hex32(data.get("id"))
        and is_hex32(data.get("pubkey"))
        and isinstance(data.get("sig"), str)
        and _HEX64.fullmatch(cast(str, data["sig"]))
        and type(data.get("created_at")) is int
        and type(data.get("kind")) is int
        and isinstance(data.get("content"), str)
        and isinstance(tags, list)
        and all(
            isinstance(tag, list) and tag and all(isinstance(item, str) for item in tag)
            for tag in tags
        )
    ):
        raise EventRefused("That is not a well-formed nostr event.")
    return Event(
        id=cast(str, data["id"]),
        pubkey=cast(str, data["pubkey"]),
        created_at=cast(int, data["created_at"]),
        kind=cast(int, data["kind"]),
        tags=tuple(tuple(cast(list[str], tag)) for tag in cast(list[object], tags)),
        content=cast(str, data["content"]),
        sig=cast(str, data["sig"]),
    )


def event_parse(
    raw: str | Mapping[str, object], *, kind: int | None = None, author: str | None = None
) -> Event:
    """A verified event: well-formed, its id the hash of its content, signed by its pubkey.

    With `kind` or `author`, an event of another kind or signed by another key is refused
    too: a forged answer signed by someone else never gets past this function.
    """
    if isinstance(raw, str):
        if len(raw) > MAX_EVENT_JSON:
            raise EventRefused("That event is too large.")
        try:
            data = json.loads(raw)
        except ValueError:
            raise EventRefused("That is not a well-formed nostr event.") from None
        if not isinstance(data, dict):
            raise EventRefused("That is not a well-formed nostr event.")
    else:
        data = dict(raw)
    event = _from_dict(data)
    try:
        verified = bool(nostr_sdk.Event.from_json(event.as_json()).verify())
    except nostr_sdk.NostrSdkError:
        verified = False
    # verify() checks both the id (hash of the serialised event) and the signature over it.
    if not verified:
        raise EventRefused("The event's id or signature does not verify.")
    if kind is not None and event.kind != kind:
        raise EventRefused(f"Expected an event of kind {kind}.")
    if author is not None and event.pubkey != author:
        raise EventRefused("The event was signed by another key.")
    return event
