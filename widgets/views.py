"""What viewers see: the hosted tip page, the widget, a tip's payment screen, embed.js.

/@<handle> and /w/<widget_id>/ are one flow (`tip_flow`) shown in two layouts:
the site's full page, or the compact widget layout that other sites may frame.
A tip made from a widget keeps that layout and framing on its payment screen.

When a creator takes no tips the page says so, without a form, and answers
403 Forbidden while that can change (pending review, suspended, no wallet key
yet) or 410 Gone once the creator was rejected. An unknown handle, an unknown
widget and a disabled widget are 404 Not Found.
"""

from __future__ import annotations

import json
from functools import partial

from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import get_conditional_response, patch_cache_control, set_response_etag
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from creators.models import Creator, CreatorStatus
from creators.selectors import creator_get_by_handle, creator_takes_tips
from live.goals import public_goal
from live.selectors import FINAL_CONFIRMATIONS, stream_last_event_id
from payments.lightning.metadata import creator_metadata
from payments.lightning.services import (
    lightning_invoice_attach,
    lightning_tip_create,
    lightning_wallet_of,
)
from payments.models import Tip
from payments.pricing import pricing_now
from payments.screen import payment_context, refusal_status
from payments.selectors import tip_get_public, tip_public_status
from payments.services import TipRefused, tip_create, tip_status_poll, tip_watched
from payments.throttle import SLOW_DOWN, client_fingerprint, too_fast
from web.fiat import FiatAmount
from web.pages import site_origin, slow_down, viewer_page
from web.ratelimit import client_ip, hit
from web.security import allow_framing
from widgets import selectors
from widgets.embed import tip_link_text
from widgets.forms import TipForm
from widgets.models import Widget
from widgets.origins import origin_allowed, origin_of
from widgets.page_cache import cached_page
from widgets.services import refused_origin_record, tip_renew

# The payment screen polls status.json every few seconds; the browser, or a CDN in front
# of the site, may reuse an answer this long without asking the server again.
STATUS_MAX_AGE = 3
EMBED_MAX_AGE = 60 * 60


def frame_ancestors(widget: Widget) -> list[str] | None:
    """Who may frame this widget: any site, or its allowed origins plus this site
    (the creator's live preview)."""
    return ["'self'", *widget.allowed_origins] if widget.allowed_origins else None


def refusal_report_uri(widget: Widget) -> str | None:
    """Where browsers report a site that framed the widget though it may not."""
    return reverse("widgets:refused", args=[widget.public_id]) if widget.allowed_origins else None


def framed(response: HttpResponse, widget: Widget | None) -> HttpResponse:
    """Widget responses may be framed by the widget's origins; all others keep refusing."""
    if widget is not None:
        allow_framing(response, frame_ancestors(widget), report_uri=refusal_report_uri(widget))
    return response


def respond(
    request: HttpRequest,
    template: str,
    context: dict,
    *,
    widget: Widget | None = None,
    embedded: bool = False,
    status: int = 200,
) -> HttpResponse:
    """A viewer page: in the compact layout, framable, inside a widget (by `widget`'s
    origins, or by any site when `embedded` without one), else in the site's layout."""
    if widget is None:
        return viewer_page(
            request, template, {**context, "widget": None}, embedded=embedded, status=status
        )
    return viewer_page(
        request,
        template,
        {**context, "widget": widget},
        embedded=True,
        theme=widget.theme,
        frame_origins=frame_ancestors(widget),
        report_uri=refusal_report_uri(widget),
        status=status,
    )


def closed(request: HttpRequest, creator: Creator, widget: Widget | None) -> HttpResponse:
    status = 410 if creator.status == CreatorStatus.REJECTED else 403
    # The creator (signed in, so never served from the page cache) is told why; viewers
    # only that no tips are taken.
    own_page = request.user.is_authenticated and request.user.pk == creator.user_id
    context = {"creator": creator, "own_page": own_page}
    return respond(request, "widgets/closed.html", context, widget=widget, status=status)


# Viewers have no account and no session here, and the widget form is posted from
# inside another site's iframe, where browsers withhold our (SameSite) CSRF cookie.
# A forged post could only open a tip the forger could open directly, so tip
# creation is CSRF-exempt and rate-limited instead.
@csrf_exempt
@require_http_methods(["GET", "HEAD", "POST"])
@cached_page
def creator_page(request: HttpRequest, handle: str) -> HttpResponse:
    creator = creator_get_by_handle(handle)
    if creator is None:
        raise Http404
    return tip_flow(request, creator=creator, widget=None)


@csrf_exempt
@require_http_methods(["GET", "HEAD", "POST"])
@cached_page
def widget_page(request: HttpRequest, widget_id: str) -> HttpResponse:
    widget = selectors.widget_get_public(widget_id)
    if widget is None:
        raise Http404
    return tip_flow(request, creator=widget.creator, widget=widget)


def tip_flow(request: HttpRequest, *, creator: Creator, widget: Widget | None) -> HttpResponse:
    if not creator_takes_tips(creator):
        return closed(request, creator, widget)
    terms = selectors.tip_terms(creator, widget)
    form = TipForm(request.POST if request.method == "POST" else None, terms=terms)

    def form_page(status: int = 200, refusal: TipRefused | None = None) -> HttpResponse:
        # The creator's goal, if they show it here: its figures move live (widgets/goal.js).
        goal = public_goal(creator.pk, now=timezone.now())
        context = {"creator": creator, "terms": terms, "form": form, "goal": goal}
        response = respond(request, "widgets/tip_form.html", context, widget=widget, status=status)
        if status != 429:
            return response
        return slow_down(response, refusal.retry_after() if refusal is not None else None)

    if not form.is_bound:
        return form_page()
    if not form.is_valid():
        return form_page(400)
    if too_fast(request, creator):
        form.add_error(None, SLOW_DOWN)
        return form_page(429)
    try:
        tip = tip_offer(request, creator=creator, widget=widget, **form.cleaned_data)
    except TipRefused as refusal:
        form.add_refusal(refusal)
        return form_page(refusal_status(refusal, otherwise=400), refusal)
    return framed(redirect("widgets:tip", tip.public_id), widget)


def tip_offer(
    request: HttpRequest,
    *,
    creator: Creator,
    widget: Widget | None,
    amount_sats: int | None = None,
    amount_fiat: FiatAmount | None = None,
    name: str = "",
    name_public: bool = False,
    message: str = "",
) -> Tip:
    """The tip a viewer asked for, on the rails it suits. Without a Lightning wallet: on-chain.
    With one: below the creator's on-chain minimum, Lightning only (no address burnt); from
    it up, on-chain with an invoice too, for one unified QR (on-chain only if the wallet
    fails to give one). An amount entered in fiat is compared at the rate of the moment;
    without a rate, tip_create refuses it as it would anyway."""
    client = client_fingerprint(request)
    onchain = partial(
        tip_create,
        creator=creator,
        widget=widget,
        client=client,
        amount_sats=amount_sats,
        amount_fiat=amount_fiat,
        name=name,
        name_public=name_public,
        message=message,
    )
    if lightning_wallet_of(creator) is None:
        return onchain()
    sats = amount_sats
    if amount_fiat is not None:
        sats = pricing_now(amount_fiat.currency).sats(amount_fiat.amount)
    if sats is None:
        return onchain()
    if sats < creator.onchain_min_sats:
        return lightning_tip_create(
            creator=creator,
            widget=widget,
            client=client,
            amount_msat=sats * 1000,
            description=creator_metadata(creator),
            name=name,
            name_public=name_public,
            message=message,
        )
    tip = onchain()
    lightning_invoice_attach(tip=tip, description=creator_metadata(creator))
    return tip


def tip_or_404(tip_id: str) -> Tip:
    tip = tip_get_public(tip_id)
    if tip is None:
        raise Http404
    return tip


def payment_screen(
    request: HttpRequest, tip: Tip, *, alert: str | Promise = "", status: int = 200
) -> HttpResponse:
    context = {
        **payment_context(tip, tip_public_status(tip)),
        "alert": alert,
        # The live stream resumes after the last event this page already shows.
        "stream_after": stream_last_event_id(tip),
        "final_confirmations": FINAL_CONFIRMATIONS,
    }
    return respond(request, "widgets/tip_detail.html", context, widget=tip.widget, status=status)


@require_safe
def tip_detail(request: HttpRequest, tip_id: str) -> HttpResponse:
    tip = tip_or_404(tip_id)
    if tip.unlock_item_id is not None:  # a paid unlock's purchase has a page of its own
        return redirect("unlocks:purchase", tip.public_id)
    tip_watched(tip=tip)
    return payment_screen(request, tip)


@require_safe
def tip_status(request: HttpRequest, tip_id: str) -> JsonResponse:
    status = tip_status_poll(tip_id)
    if status is None:
        raise Http404
    response = JsonResponse(status)
    patch_cache_control(response, public=True, max_age=STATUS_MAX_AGE)
    return response


@csrf_exempt  # see creator_page: same reasons, same rate limit
@require_POST
def new_address(request: HttpRequest, tip_id: str) -> HttpResponse:
    """A new address for an expired tip, with the same amount, name and message."""
    tip = tip_or_404(tip_id)
    if tip.unlock_item_id is not None:  # buying again goes through the item's page
        raise Http404
    if too_fast(request, tip.creator):
        return slow_down(payment_screen(request, tip, alert=SLOW_DOWN, status=429))
    try:
        new_tip = tip_renew(tip=tip, client=client_fingerprint(request))
    except TipRefused as refusal:
        status = refusal_status(refusal, otherwise=409)
        response = payment_screen(request, tip, alert=refusal.message, status=status)
        return slow_down(response, refusal.retry_after()) if status == 429 else response
    return framed(redirect("widgets:tip", new_tip.public_id), tip.widget)


@require_safe
def embed_js(request: HttpRequest) -> HttpResponse:
    """The loader other sites include; it frames /w/<id>/ from the origin it was served by."""
    context = {
        "origin": site_origin(request),
        # The frames' names for screen readers, given here: makemessages does not read .js.
        "titles": {"widget": _("Bitcoin tip widget"), "unlock": _("Buy with bitcoin")},
    }
    response = render(
        request, "widgets/embed.js", context, content_type="text/javascript; charset=utf-8"
    )
    patch_cache_control(response, public=True, max_age=EMBED_MAX_AGE)
    set_response_etag(response)
    # None only when given no response to fall back on.
    return get_conditional_response(request, etag=response["ETag"], response=response) or response


# Refusals counted per client address and per widget a minute: enough for real
# browsers, too few for anyone to fill a creator's list quickly.
REFUSALS_PER_IP = 20
REFUSALS_PER_WIDGET = 120
CONFIG_MAX_AGE = 60


def refusal_counted(request: HttpRequest, widget: Widget) -> bool:
    return not (
        hit("widget-refused-ip", client_ip(request), limit=REFUSALS_PER_IP)
        or hit("widget-refused", widget.public_id, limit=REFUSALS_PER_WIDGET)
    )


@require_safe
def widget_config(request: HttpRequest, widget_id: str) -> JsonResponse:
    """What embed.js needs before framing a widget: the origins allowed to frame it
    (our own site always is), and the tip page to link to where it may not be framed.

    embed.js asks from the page it runs on, so the Origin header says where the widget
    is being put: a site not allowed is counted for the creator's widget page."""
    widget = selectors.widget_get_public(widget_id)
    if widget is None:
        raise Http404
    origin = origin_of(request.headers.get("Origin", ""))
    own = site_origin(request)
    if (
        origin
        and origin != own
        and widget.allowed_origins
        and not origin_allowed(origin, widget.allowed_origins)
        and refusal_counted(request, widget)
    ):
        refused_origin_record(widget=widget, origin=origin)
    tip_page = own + reverse("widgets:creator", args=[widget.creator.handle])
    response = JsonResponse(
        {
            "allowed_origins": [own, *widget.allowed_origins] if widget.allowed_origins else [],
            "tip_page": tip_page,
            "link_text": tip_link_text(widget.creator),
        }
    )
    response["Access-Control-Allow-Origin"] = "*"
    return response


def frame_ancestors_reports(report: object) -> list[dict]:
    """The frame-ancestors violations in a CSP report, in the old (application/csp-report)
    or the Reporting API (application/reports+json) format."""
    if isinstance(report, dict):
        report = [{"type": "csp-violation", "body": report.get("csp-report")}]
    found = []
    for entry in report[:10] if isinstance(report, list) else []:
        body = entry.get("body") if isinstance(entry, dict) else None
        if not isinstance(body, dict):
            continue
        directive = body.get("effective-directive") or body.get("effectiveDirective") or ""
        directive = directive or body.get("violated-directive", "")
        if str(directive).startswith("frame-ancestors"):
            found.append(body)
    return found


@csrf_exempt  # browsers post these reports without any cookie or token
@require_POST
def widget_refused(request: HttpRequest, widget_id: str) -> HttpResponse:
    """CSP violation reports of a widget page: a site framed it though not allowed to.

    Browsers leave the framing site out of the report itself (it names only our page);
    the report's request comes from that site, whose origin its Referer header gives
    (a browser sends no more than the origin across sites). Only the origin is kept."""
    widget = selectors.widget_get_public(widget_id)
    if widget is None or not widget.allowed_origins or len(request.body) > 16_384:
        return HttpResponse(status=204)
    try:
        report = json.loads(request.body)
    except ValueError:
        return HttpResponse(status=400)
    violations = frame_ancestors_reports(report)
    origins = {origin_of(str(body.get("referrer") or "")) for body in violations}
    if violations:
        origins.add(origin_of(request.headers.get("Referer", "")))
    own = site_origin(request)
    for origin in sorted(filter(None, origins)):
        if origin == own or origin_allowed(origin, widget.allowed_origins):
            continue
        if refusal_counted(request, widget):
            refused_origin_record(widget=widget, origin=origin)
    return HttpResponse(status=204)
