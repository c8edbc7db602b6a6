"""Nostr zaps (NIP-57): check a zap request (kind 9734) arriving at the LNURL callback, and
sign the zap receipt (kind 9735) once its invoice is paid.

The receipt is signed with the site's own nostr key (the `nostrPubkey` of its payRequest),
which holds no funds. The invoice for a zap commits to the zap request's JSON exactly as
sent (`btc.lnurl.invoice_description(..., zap_request=raw)`).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import urlsplit

from nwc.events import Event, EventRefused, event_parse, event_sign, is_hex32

ZAP_REQUEST_KIND = 9734
ZAP_RECEIPT_KIND = 9735
# NIP-01 event coordinate: <kind>:<pubkey>:<d tag>.
_COORDINATE = re.compile(r"[0-9]{1,5}:[0-9a-f]{64}:.*", re.DOTALL)


@dataclass(frozen=True, slots=True)
class ZapRequest:
    event: Event
    # The request exactly as the wallet sent it: the receipt's description tag and the
    # invoice's description hash both use these bytes.
    raw: str
    recipient: str
    event_id: str | None
    coordinate: str | None
    relays: tuple[str, ...]
    amount_msat: int | None
    lnurl: str | None

    @property
    def sender(self) -> str:
        return self.event.pubkey


def zap_request_check(raw: str, *, amount_msat: int) -> ZapRequest:
    """Validates a zap request as NIP-57 Appendix D says, or raises EventRefused.

    1. a valid nostr signature; 2. it has tags; 3. exactly one p tag; 4. 0 or 1 e tags;
    5. a relays tag (a "should": without one the receipt has nowhere to go, so `relays`
    is empty); 6. an amount tag, if any, equals the callback's `amount`; 7. an a tag, if
    any, is a valid event coordinate; 8. 0 or 1 P tags, and a P tag names the key the
    receipt will name as the zapper (its P tag), i.e. the request's own signer.
    """
    event = event_parse(raw, kind=ZAP_REQUEST_KIND)  # 1 (and the kind)
    if not event.tags:  # 2
        raise EventRefused("The zap request has no tags.")
    recipients = event.tag_values("p")
    if len(recipients) != 1 or not is_hex32(recipients[0]):  # 3
        raise EventRefused("The zap request must name exactly one recipient (p tag).")
    event_ids = event.tag_values("e")
    if len(event_ids) > 1 or (event_ids and not is_hex32(event_ids[0])):  # 4
        raise EventRefused("The zap request may name at most one event (e tag).")
    relays_tag = event.tag("relays")  # 5
    relays = tuple(
        relay for relay in (relays_tag or ())[1:] if urlsplit(relay).scheme in ("wss", "ws")
    )
    amount_tags = event.tag_values("amount")  # 6
    requested_msat: int | None = None
    if amount_tags:
        if len(amount_tags) != 1 or not amount_tags[0].isdigit():
            raise EventRefused("The zap request's amount tag is malformed.")
        requested_msat = int(amount_tags[0])
        if requested_msat != amount_msat:
            raise EventRefused("The zap request's amount differs from the amount asked.")
    coordinates = event.tag_values("a")  # 7
    if len(coordinates) > 1 or (coordinates and not _COORDINATE.fullmatch(coordinates[0])):
        raise EventRefused("The zap request's a tag is not a valid event coordinate.")
    zappers = event.tag_values("P")  # 8
    if len(zappers) > 1 or (zappers and zappers[0] != event.pubkey):
        raise EventRefused("The zap request's P tag must name its own signer.")
    lnurls = event.tag_values("lnurl")
    return ZapRequest(
        event=event,
        raw=raw,
        recipient=recipients[0],
        event_id=event_ids[0] if event_ids else None,
        coordinate=coordinates[0] if coordinates else None,
        relays=relays,
        amount_msat=requested_msat,
        lnurl=lnurls[0] if lnurls else None,
    )


def zap_receipt_build(
    site_secret: str,
    zap_request: ZapRequest,
    *,
    bolt11: str,
    paid_at: int,
    preimage: str | None = None,
) -> Event:
    """The kind-9735 receipt (NIP-57 Appendix E), signed with the site's nostr key.

    Tags: the request's p, e and a; P = the zapper; bolt11 = the paid invoice; description
    = the zap request JSON as sent; preimage when the wallet gave one. created_at is the
    time the invoice was paid; content is empty.
    """
    tags: list[list[str]] = [["p", zap_request.recipient]]
    if zap_request.event_id is not None:
        tags.append(["e", zap_request.event_id])
    if zap_request.coordinate is not None:
        tags.append(["a", zap_request.coordinate])
    tags.append(["P", zap_request.sender])
    tags.append(["bolt11", bolt11])
    tags.append(["description", zap_request.raw])
    if preimage is not None:
        tags.append(["preimage", preimage])
    return event_sign(site_secret, kind=ZAP_RECEIPT_KIND, content="", created_at=paid_at, tags=tags)


def zap_receipt_parse(raw: str | Mapping[str, object], *, site_pubkey: str) -> Event:
    """A receipt as a client would accept it: kind 9735, signed by the site's key."""
    return event_parse(raw, kind=ZAP_RECEIPT_KIND, author=site_pubkey)
