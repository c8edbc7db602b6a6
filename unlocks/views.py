"""What buyers see: an item's page and widget, a purchase's payment page, access links.

The item page (/@handle/u/<id>) and its widget (/w/u/<id>/, framable by any site)
are one flow in two layouts, like the tip page and tip widget; so is the purchase
page (/unlock/p/<id>/, and /w/p/<id>/ inside the widget), which is the tip payment
screen plus the price still missing, then the access link and receipt code.

The sold link leaves the server in one place only: the Location header of a valid
/unlock/<token>, sent with no-referrer and no-store.
"""

from __future__ import annotations

from typing import TypeVar

from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.cache import add_never_cache_headers, patch_cache_control
from django.utils.translation import gettext_lazy as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_safe

from creators.selectors import creator_takes_tips
from payments.models import Tip
from payments.pricing import creator_pricing, item_price_sats
from payments.screen import payment_context, refusal_status
from payments.services import TipRefused, tip_watched
from payments.throttle import client_fingerprint, too_fast
from unlocks import selectors
from unlocks.forms import RecoverForm
from unlocks.models import UnlockItem
from unlocks.selectors import Refusal
from unlocks.services import purchase_create
from web.pages import site_origin, slow_down, viewer_page
from web.ratelimit import client_ip, hit
from web.security import allow_framing

_Response = TypeVar("_Response", bound=HttpResponseBase)

# Receipt codes tried per client address per minute. Codes have 80 random bits, so
# this spares the database more than it stops guessing.
RECOVER_RATE_PER_IP = 10
SLOW_DOWN = _("Too many tries in a short time. Please wait a minute and try again.")
RECEIPT_UNKNOWN = _("No purchase has this receipt code. Check it and try again.")
REFUSALS = {
    Refusal.INVALID: (404, _("This access link is not valid. Check that it was copied whole.")),
    Refusal.EXPIRED: (
        410,
        _("This access link has expired. Get a fresh one with your receipt code."),
    ),
    Refusal.REVOKED: (410, _("The creator revoked access for this purchase.")),
    Refusal.UNPAID: (
        403,
        _(
            "The payment for this purchase is no longer in the blockchain: it was replaced "
            "or its block was reorganised away. Access comes back if it is confirmed again."
        ),
    ),
}


def framable(response: HttpResponse, *, embedded: bool) -> HttpResponse:
    """Embedded pages may be framed by any site (items have no origin list); others never."""
    return allow_framing(response, None) if embedded else response


def private(response: _Response) -> _Response:
    """Pages that may carry an access link: kept out of every cache and search engine."""
    add_never_cache_headers(response)
    patch_cache_control(response, private=True)
    response["X-Robots-Tag"] = "noindex"
    return response


# --- Items --------------------------------------------------------------------


def item_or_404(item_id: str) -> UnlockItem:
    item = selectors.item_get_public(item_id)
    if item is None:
        raise Http404
    return item


# Like the tip form (widgets.views.creator_page): no account, no session, posted from
# inside other sites' iframes; a forged post can only open a purchase the forger could
# open directly, so buying is CSRF-exempt and rate-limited instead.
@csrf_exempt
@require_http_methods(["GET", "HEAD", "POST"])
def item_page(request: HttpRequest, handle: str, item_id: str) -> HttpResponse:
    item = item_or_404(item_id)
    if item.creator.handle.lower() != handle.lower():
        raise Http404
    return item_flow(request, item, embedded=False)


@csrf_exempt
@require_http_methods(["GET", "HEAD", "POST"])
def item_widget(request: HttpRequest, item_id: str) -> HttpResponse:
    return item_flow(request, item_or_404(item_id), embedded=True)


def item_flow(request: HttpRequest, item: UnlockItem, *, embedded: bool) -> HttpResponse:
    creator = item.creator
    pricing = creator_pricing(creator)
    price_sats = item_price_sats(item, pricing)
    context = {
        "creator": creator,
        "item": item,
        "alert": "",
        "embedded": embedded,
        # What the buyer is shown is what the purchase holds (tip_create converts alike).
        "price_sats": price_sats,
        "price_fiat": pricing.fiat(price_sats) if item.price_fiat is not None else None,
    }
    if not creator_takes_tips(creator):
        return viewer_page(request, "unlocks/closed.html", context, embedded=embedded, status=403)
    status, refused = 200, None
    if request.method == "POST":
        if too_fast(request, creator):
            context["alert"], status = SLOW_DOWN, 429
        else:
            try:
                purchase = purchase_create(item=item, client=client_fingerprint(request))
            except TipRefused as refusal:
                context["alert"], refused = refusal.message, refusal
                status = refusal_status(refusal, otherwise=409)
            else:
                page = "unlocks:purchase_widget" if embedded else "unlocks:purchase"
                return framable(redirect(page, purchase.public_id), embedded=embedded)
    context["sold_out"] = (
        item.sales_limit is not None and selectors.slots_taken(item) >= item.sales_limit
    )
    response = viewer_page(request, "unlocks/item.html", context, embedded=embedded, status=status)
    if status != 429:
        return response
    return slow_down(response, refused.retry_after() if refused is not None else None)


# --- Purchases ----------------------------------------------------------------


def purchase_or_404(purchase_id: str) -> Tip:
    purchase = selectors.purchase_get_public(purchase_id)
    if purchase is None:
        raise Http404
    return purchase


def purchase_screen(request: HttpRequest, purchase_id: str, *, embedded: bool) -> HttpResponse:
    purchase = purchase_or_404(purchase_id)
    tip_watched(tip=purchase)
    state = selectors.purchase_viewer_state(purchase, site=site_origin(request))
    item = selectors.purchase_item(purchase)
    context = {
        **payment_context(purchase, state),
        "item": item,
        "status_url": reverse("unlocks:purchase_status", args=[purchase.public_id]),
        "item_url": item_url(item, embedded=embedded),
        "recover_url": site_origin(request) + reverse("unlocks:recover"),
        "embedded": embedded,
    }
    return private(viewer_page(request, "unlocks/purchase.html", context, embedded=embedded))


@require_safe
def purchase_page(request: HttpRequest, purchase_id: str) -> HttpResponse:
    return purchase_screen(request, purchase_id, embedded=False)


@require_safe
def purchase_widget(request: HttpRequest, purchase_id: str) -> HttpResponse:
    return purchase_screen(request, purchase_id, embedded=True)


@require_safe
def purchase_status(request: HttpRequest, purchase_id: str) -> JsonResponse:
    purchase = purchase_or_404(purchase_id)
    tip_watched(tip=purchase)
    state = selectors.purchase_viewer_state(purchase, site=site_origin(request))
    return private(JsonResponse(state))


def item_url(item: UnlockItem, *, embedded: bool) -> str:
    """Where to buy the item again (after a purchase expired unpaid)."""
    if embedded:
        return reverse("unlocks:item_widget", args=[item.public_id])
    return reverse("unlocks:item", args=[item.creator.handle, item.public_id])


# --- Access links ---------------------------------------------------------------


@require_safe
def access(request: HttpRequest, token: str) -> HttpResponse:
    """Follow an access link: to the sold link if it still opens, else say why not."""
    found = selectors.access_by_token(token)
    if found.refusal is not None:
        status, message = REFUSALS[found.refusal]
        context = {"message": message, "refusal": found.refusal}
        return private(viewer_page(request, "unlocks/refused.html", context, status=status))
    response = HttpResponseRedirect(selectors.purchase_item(found.grant.purchase).target_url)
    # The buyer's page URL (or this token) must not reach the sold link's host.
    response["Referrer-Policy"] = "no-referrer"
    return private(response)


@require_http_methods(["GET", "HEAD", "POST"])
def recover(request: HttpRequest) -> HttpResponse:
    """A fresh access link for a receipt code (rate-limited per client address)."""
    form = RecoverForm(request.POST or None)
    context: dict = {"form": form, "access_url": ""}
    status = 200
    if form.is_bound:
        if hit("unlock-recover", client_ip(request), limit=RECOVER_RATE_PER_IP):
            form.add_error(None, SLOW_DOWN)
            response = viewer_page(request, "unlocks/recover.html", context, status=429)
            return private(slow_down(response))
        status = 400
        if form.is_valid():
            found = selectors.access_by_receipt(form.cleaned_data["code"])
            if found.refusal is None:
                status = 200
                context["access_url"] = site_origin(request) + selectors.access_path(found.grant)
            elif found.refusal == Refusal.INVALID:
                form.add_error("code", RECEIPT_UNKNOWN)
                status = 404
            else:
                status, message = REFUSALS[found.refusal]
                form.add_error(None, message)
    return private(viewer_page(request, "unlocks/recover.html", context, status=status))
