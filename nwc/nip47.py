"""Nostr Wallet Connect (NIP-47): the connection URI, the wallet's info event, requests,
responses and notifications, for both sides (Bitcache as client; the wallet side serves
the simulated wallet and the test doubles).

Bitcache only ever receives: it asks for `make_invoice` and `lookup_invoice` and refuses a
connection that could spend (`capabilities_check`).

Kinds: 13194 info (replaceable, published by the wallet), 23194 request, 23195 response,
23197 notification (NIP-44) and 23196 notification (NIP-04, legacy wallets).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from urllib.parse import parse_qs, urlsplit

from nwc.encryption import DecryptionFailed, Scheme, decrypt, encrypt, scheme_of
from nwc.events import Event, EventRefused, event_parse, event_sign, is_hex32, public_key_of

INFO_KIND = 13194
REQUEST_KIND = 23194
RESPONSE_KIND = 23195
NOTIFICATION_KIND_NIP04 = 23196
NOTIFICATION_KIND = 23197

REQUIRED_CAPABILITIES = frozenset({"make_invoice", "lookup_invoice"})
SPENDING_CAPABILITIES = frozenset(
    {"pay_invoice", "pay_keysend", "multi_pay_invoice", "multi_pay_keysend"}
)
URI_SCHEME = "nostr+walletconnect"


class ConnectionRefused(ValueError):
    """A wallet connection Bitcache will not use; `message` tells the creator what to do.

    Messages never quote the URI: it carries the connection secret.
    """

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


@dataclass(frozen=True, slots=True)
class ConnectionUri:
    wallet_pubkey: str
    relays: tuple[str, ...]
    # The client secret key: a credential. Kept out of repr so it never reaches a log.
    secret: str = field(repr=False)
    lud16: str | None = None

    @property
    def client_pubkey(self) -> str:
        return public_key_of(self.secret)


def connection_uri_parse(uri: str) -> ConnectionUri:
    """Parses `nostr+walletconnect://<wallet pubkey>?relay=wss://..&secret=<hex>[&lud16=..]`."""
    bad = ConnectionRefused(
        "malformed",
        "That is not a Nostr Wallet Connect URI. In your wallet, create a connection and copy "
        "the string that starts with nostr+walletconnect://",
    )
    if not isinstance(uri, str) or len(uri) > 4096:
        raise bad
    try:
        parts = urlsplit(uri.strip())
    except ValueError:
        raise bad from None
    if parts.scheme.lower() != URI_SCHEME:
        raise bad
    wallet_pubkey = (parts.netloc or parts.path.lstrip("/")).lower()
    query = parse_qs(parts.query, keep_blank_values=True)
    secrets = query.get("secret", [])
    relays = tuple(dict.fromkeys(query.get("relay", [])))
    if not is_hex32(wallet_pubkey) or len(secrets) != 1 or not is_hex32(secrets[0].lower()):
        raise bad
    secret = secrets[0].lower()
    try:
        public_key_of(secret)
    except ValueError:
        raise bad from None
    if not relays:
        raise ConnectionRefused("no_relay", "The connection names no relay to reach the wallet.")
    if any(urlsplit(relay).scheme not in ("wss", "ws") for relay in relays):
        raise ConnectionRefused("bad_relay", "The connection's relays must be wss:// addresses.")
    lud16 = query.get("lud16", [None])[0]
    return ConnectionUri(wallet_pubkey=wallet_pubkey, relays=relays, secret=secret, lud16=lud16)


@dataclass(frozen=True, slots=True)
class WalletInfo:
    capabilities: frozenset[str]
    encryptions: tuple[Scheme, ...]
    notifications: frozenset[str]


def info_parse(raw: str | Mapping[str, object], *, wallet_pubkey: str) -> WalletInfo:
    """The wallet's kind-13194 info event, which only the wallet's own key may sign."""
    event = event_parse(raw, kind=INFO_KIND, author=wallet_pubkey)
    encryption_tag = event.tag("encryption")
    # NIP-47: a wallet whose info event has no encryption tag speaks NIP-04 only.
    announced = encryption_tag[1].split() if encryption_tag and len(encryption_tag) > 1 else []
    known: tuple[Scheme, ...] = ("nip44_v2", "nip04")
    encryptions = tuple(s for s in known if s in announced) if announced else ("nip04",)
    notifications_tag = event.tag("notifications")
    notifications = (
        frozenset(notifications_tag[1].split())
        if notifications_tag and len(notifications_tag) > 1
        else frozenset()
    )
    return WalletInfo(
        capabilities=frozenset(event.content.split()),
        encryptions=encryptions,
        notifications=notifications,
    )


def capabilities_check(info: WalletInfo) -> Scheme:
    """Refuses a connection that can spend or cannot do the job; returns the scheme to use."""
    spending = sorted(
        c for c in info.capabilities if c in SPENDING_CAPABILITIES or c.startswith("multi_pay_")
    )
    if spending:
        raise ConnectionRefused(
            "can_spend",
            "This connection can spend from your wallet (it allows "
            + ", ".join(spending)
            + "). Bitcache only receives tips and never needs to pay: in your wallet, create "
            "a new connection that allows only make_invoice and lookup_invoice (often called "
            "'receive only' or 'read only'), paste that one, and delete this one.",
        )
    missing = sorted(REQUIRED_CAPABILITIES - info.capabilities)
    if missing:
        raise ConnectionRefused(
            "missing_capability",
            "This connection does not allow "
            + " and ".join(missing)
            + ", which Bitcache needs to create invoices and see them paid. In your wallet, "
            "create a connection that allows make_invoice and lookup_invoice.",
        )
    if not info.encryptions:
        raise ConnectionRefused(
            "no_encryption", "The wallet announces no encryption Bitcache can speak (NIP-44)."
        )
    return info.encryptions[0]


def info_build(
    wallet_secret: str,
    *,
    capabilities: list[str],
    created_at: int,
    encryptions: tuple[Scheme, ...] = ("nip44_v2",),
    notifications: tuple[str, ...] = ("payment_received",),
) -> Event:
    """The wallet's info event (wallet side: the simulated wallet and test doubles)."""
    tags = [["encryption", " ".join(encryptions)]]
    if notifications:
        tags.append(["notifications", " ".join(notifications)])
    return event_sign(
        wallet_secret,
        kind=INFO_KIND,
        content=" ".join(capabilities),
        created_at=created_at,
        tags=tags,
    )


def request_build(
    connection: ConnectionUri,
    method: str,
    params: Mapping[str, object],
    *,
    scheme: Scheme,
    created_at: int,
    expiration: int | None = None,
) -> Event:
    """A kind-23194 request, encrypted to the wallet and signed with the connection secret."""
    payload = json.dumps({"method": method, "params": dict(params)}, separators=(",", ":"))
    tags = [["p", connection.wallet_pubkey]]
    if scheme == "nip44_v2":
        tags.append(["encryption", "nip44_v2"])
    if expiration is not None:
        tags.append(["expiration", str(expiration)])
    content = encrypt(connection.secret, connection.wallet_pubkey, payload, scheme=scheme)
    return event_sign(
        connection.secret, kind=REQUEST_KIND, content=content, created_at=created_at, tags=tags
    )


def make_invoice_params(
    *, amount_msat: int, description_hash: str, expiry: int, description: str | None = None
) -> dict[str, object]:
    params: dict[str, object] = {
        "amount": amount_msat,
        "description_hash": description_hash,
        "expiry": expiry,
    }
    if description is not None:
        params["description"] = description
    return params


@dataclass(frozen=True, slots=True)
class Response:
    result_type: str
    result: dict[str, object] | None
    error_code: str | None = None
    error_message: str | None = None


def _decrypt_json(secret: str, peer: str, content: str) -> dict[str, object]:
    try:
        data = json.loads(decrypt(secret, peer, content, scheme=scheme_of(content)))
    except (DecryptionFailed, ValueError):
        raise EventRefused("The message does not decrypt to JSON with this connection.") from None
    if not isinstance(data, dict):
        raise EventRefused("The message is not a JSON object.")
    return data


def _addressed_to(event: Event, pubkey: str) -> None:
    if event.tag_values("p") != [pubkey]:
        raise EventRefused("The event is not addressed to this connection.")


def response_parse(
    raw: str | Mapping[str, object], *, connection: ConnectionUri, request: Event
) -> Response:
    """The wallet's kind-23195 answer to `request`: signed by the wallet, addressed to us,
    referring to that request, for that method. Anything else raises EventRefused."""
    event = event_parse(raw, kind=RESPONSE_KIND, author=connection.wallet_pubkey)
    _addressed_to(event, connection.client_pubkey)
    if event.tag_values("e") != [request.id]:
        raise EventRefused("The response answers another request.")
    data = _decrypt_json(connection.secret, connection.wallet_pubkey, event.content)
    # Our own request, decrypted again: the method is not in the clear.
    method = str(
        _decrypt_json(connection.secret, connection.wallet_pubkey, request.content)["method"]
    )
    if data.get("result_type") != method:
        raise EventRefused("The response is for another method.")
    error = data.get("error")
    result = data.get("result")
    if error is not None:
        if not isinstance(error, dict):
            raise EventRefused("The response's error is malformed.")
        return Response(
            result_type=method,
            result=None,
            error_code=str(error.get("code", "OTHER")),
            error_message=str(error.get("message", ""))[:500],
        )
    if not isinstance(result, dict):
        raise EventRefused("The response has neither a result nor an error.")
    return Response(result_type=method, result=result)


@dataclass(frozen=True, slots=True)
class Notification:
    notification_type: str
    notification: dict[str, object]
    event_id: str


def notification_parse(
    raw: str | Mapping[str, object], *, connection: ConnectionUri
) -> Notification:
    """A wallet notification (23197, or 23196 from legacy wallets), signed by the wallet and
    addressed to us. Callers must treat a notification as a hint and stay idempotent: the
    same one may arrive twice, and "paid" for an unknown invoice changes nothing."""
    event = event_parse(raw, author=connection.wallet_pubkey)
    if event.kind not in (NOTIFICATION_KIND, NOTIFICATION_KIND_NIP04):
        raise EventRefused("Not a wallet notification.")
    _addressed_to(event, connection.client_pubkey)
    data = _decrypt_json(connection.secret, connection.wallet_pubkey, event.content)
    kind = data.get("notification_type")
    body = data.get("notification")
    if not isinstance(kind, str) or not isinstance(body, dict):
        raise EventRefused("The notification is malformed.")
    return Notification(notification_type=kind, notification=body, event_id=event.id)


# Wallet side: the simulated wallet and the test doubles speak the same protocol.


@dataclass(frozen=True, slots=True)
class Request:
    event: Event
    client_pubkey: str
    method: str
    params: dict[str, object]
    scheme: Scheme


def request_parse(raw: str | Mapping[str, object], *, wallet_secret: str) -> Request:
    event = event_parse(raw, kind=REQUEST_KIND)
    _addressed_to(event, public_key_of(wallet_secret))
    scheme = scheme_of(event.content)
    data = _decrypt_json(wallet_secret, event.pubkey, event.content)
    method, params = data.get("method"), data.get("params", {})
    if not isinstance(method, str) or not isinstance(params, dict):
        raise EventRefused("The request is malformed.")
    return Request(
        event=event, client_pubkey=event.pubkey, method=method, params=params, scheme=scheme
    )


def response_build(
    wallet_secret: str,
    request: Request,
    *,
    created_at: int,
    result: Mapping[str, object] | None = None,
    error: tuple[str, str] | None = None,
) -> Event:
    body: dict[str, object] = {
        "result_type": request.method,
        "result": dict(result) if result is not None else None,
        "error": {"code": error[0], "message": error[1]} if error is not None else None,
    }
    content = encrypt(wallet_secret, request.client_pubkey, json.dumps(body), scheme=request.scheme)
    return event_sign(
        wallet_secret,
        kind=RESPONSE_KIND,
        content=content,
        created_at=created_at,
        tags=[["p", request.client_pubkey], ["e", request.event.id]],
    )


def notification_build(
    wallet_secret: str,
    client_pubkey: str,
    *,
    notification_type: str,
    notification: Mapping[str, object],
    created_at: int,
    scheme: Scheme = "nip44_v2",
) -> Event:
    body = {"notification_type": notification_type, "notification": dict(notification)}
    return event_sign(
        wallet_secret,
        kind=NOTIFICATION_KIND if scheme == "nip44_v2" else NOTIFICATION_KIND_NIP04,
        content=encrypt(wallet_secret, client_pubkey, json.dumps(body), scheme=scheme),
        created_at=created_at,
        tags=[["p", client_pubkey]],
    )
