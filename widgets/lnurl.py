"""`<handle>@<site>`: the Lightning Address Bitcache serves for every creator with a wallet.

LUD-16 sends a wallet to `/.well-known/lnurlp/<handle>` (a LUD-06 payRequest, with LUD-12
comments, a LUD-18 payer name and NIP-57 zaps); its callback asks the creator's own wallet
for an invoice committing to that metadata (payments.lightning.services.lightning_tip_create,
which checks it) and records the tip; LUD-21's verify URL says whether it was paid. Wallets
call these from browsers too, so every answer allows any origin (CORS `*`): they are public
and carry no cookie-bound data.
"""

from __future__ import annotations

from collections.abc import Mapping

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from btc.lnurl import (
    LnurlRefused,
    callback_answer,
    callback_parse,
    error_answer,
    invoice_description,
    pay_request,
    verify_answer,
    verify_url,
)
from creators.models import Creator, LightningWalletKind
from creators.scoping import owned_by
from creators.selectors import creator_get_by_handle
from nwc.events import EventRefused, public_key_of
from nwc.nip57 import zap_request_check
from payments.lightning.metadata import creator_metadata, provider_metadata
from payments.lightning.services import (
    lightning_max_sats,
    lightning_tip_create,
    lightning_wallet_of,
)
from payments.models import LightningInvoice
from payments.services import NAME_MAX_LENGTH, TipRefused
from payments.throttle import SLOW_DOWN, client_fingerprint, too_fast
from web.pages import slow_down


def _json(data: Mapping[str, object], status: int = 200) -> JsonResponse:
    response = JsonResponse(dict(data), status=status)
    response["Access-Control-Allow-Origin"] = "*"
    response["Cache-Control"] = "no-store"
    return response


def _error(reason: object, status: int = 200) -> JsonResponse:
    # LUD-06: a refusal is {"status": "ERROR", "reason": ...}; wallets show the reason.
    return _json(error_answer(str(reason)), status=status)


def site_nostr_pubkey() -> str:
    """The site's nostr public key: it signs zap receipts (NIP-57 nostrPubkey)."""
    return public_key_of(settings.BITCACHE_NOSTR_SECRET_KEY)


def _bounds_msat(creator: Creator) -> tuple[int, int]:
    low, high = max(creator.min_tip_sats, 1) * 1000, lightning_max_sats() * 1000
    wallet = lightning_wallet_of(creator)
    if wallet is not None and wallet.kind == LightningWalletKind.LIGHTNING_ADDRESS:
        # Within what the creator's provider accepts too, in whole sats.
        provider_low = int(str(wallet.public.get("min_sendable_msat", 0)))
        provider_high = int(str(wallet.public.get("max_sendable_msat", high)))
        low = max(low, -(-provider_low // 1000) * 1000)
        high = min(high, provider_high // 1000 * 1000)
    return low, high


def _taking(handle: str) -> tuple[Creator | None, JsonResponse | None]:
    """The creator if they take Lightning tips now, else the answer to give."""
    creator = creator_get_by_handle(handle)
    if creator is None:
        return None, _error(_("No such creator."), status=404)
    if not creator.accepts_tips or lightning_wallet_of(creator) is None:
        return None, _error(_("This creator is not accepting Lightning tips right now."))
    low, high = _bounds_msat(creator)
    if low > high:
        return None, _error(_("This creator is not accepting Lightning tips right now."))
    return creator, None


def _site_url(path: str) -> str:
    return f"{settings.SITE_URL}{path}"


@require_safe
def lnurlp(request: HttpRequest, handle: str) -> HttpResponse:
    creator, refusal = _taking(handle)
    if creator is None:
        assert refusal is not None
        return refusal
    low, high = _bounds_msat(creator)
    # Through a Lightning Address, the provider's invoice cannot commit to a payer name or
    # a zap request (they change the description hash): neither is offered.
    ours = provider_metadata(creator) is None
    return _json(
        pay_request(
            callback=_site_url(reverse("widgets:lnurlp_callback", args=[creator.handle])),
            metadata=creator_metadata(creator),
            min_sendable_msat=low,
            max_sendable_msat=high,
            ask_payer_name=ours,
            nostr_pubkey=site_nostr_pubkey() if ours else None,
        )
    )


@require_safe
def lnurlp_callback(request: HttpRequest, handle: str) -> HttpResponse:
    creator, refusal = _taking(handle)
    if creator is None:
        assert refusal is not None
        return refusal
    low, high = _bounds_msat(creator)
    ours = provider_metadata(creator) is None
    try:
        asked = callback_parse(
            request.GET.dict(), min_sendable_msat=low, max_sendable_msat=high, ask_payer_name=ours
        )
    except LnurlRefused as exc:
        return _error(exc.reason)
    if asked.zap_request is not None and not ours:
        return _error(_("This creator's wallet cannot receive zaps."))
    message = asked.comment
    zap_request = ""
    if asked.zap_request is not None:
        try:
            zap = zap_request_check(asked.zap_request, amount_msat=asked.amount_msat)
        except EventRefused as exc:
            return _error(_("Invalid zap request: %(why)s") % {"why": exc})
        zap_request = zap.raw
        # A zap's note travels in the request's content (NIP-57), not as a LUD-12 comment.
        message = message or zap.event.content
    # Only once the request is valid: a malformed one costs the creator no invoice quota.
    if too_fast(request, creator):
        return slow_down(_error(SLOW_DOWN, status=429))
    description = invoice_description(
        creator_metadata(creator),
        payer_data=asked.payer_data,
        zap_request=zap_request or None,
    )
    try:
        tip = lightning_tip_create(
            creator=creator,
            amount_msat=asked.amount_msat,
            description=description,
            name=asked.payer_name[:NAME_MAX_LENGTH],
            message=message,
            zap_request=zap_request,
            client=client_fingerprint(request),
        )
    except TipRefused as exc:
        return _error(exc.message)
    invoice = LightningInvoice.objects.get(tip=tip)
    verify_base = _site_url(reverse("widgets:lnurlp", args=[creator.handle])) + "/verify"
    return _json(
        callback_answer(
            pr=invoice.bolt11,
            verify=verify_url(verify_base, invoice.payment_hash),
            success_message=_("Thank you for your tip to @%(handle)s!")
            % {"handle": creator.handle},
        )
    )


@require_safe
def lnurlp_verify(request: HttpRequest, handle: str, payment_hash: str) -> HttpResponse:
    """LUD-21: whether the invoice was paid. Only the creator's own invoices are found."""
    creator = creator_get_by_handle(handle)
    invoice = (
        owned_by(creator, LightningInvoice).filter(payment_hash=payment_hash.lower()).first()
        if creator is not None
        else None
    )
    if invoice is None:
        return _error(_("Not found."), status=404)
    return _json(
        verify_answer(
            settled=invoice.settled_at is not None,
            pr=invoice.bolt11,
            preimage=invoice.preimage or None,
        )
    )
