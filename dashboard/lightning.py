"""The "Lightning" page: connect, test, replace or remove the creator's own wallet.

No URL carries an id: each acts on the signed-in creator's own connection. What the
creator pastes may hold a secret (an NWC URI): it goes to the service and nowhere else,
not into the re-displayed form, messages, logs or error reports.
"""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.debug import sensitive_post_parameters, sensitive_variables
from django.views.decorators.http import require_POST

from creators import selectors
from creators.models import Creator, LightningWalletKind
from dashboard.forms import LightningConnectForm
from dashboard.views import creator_required
from payments.lightning.connections import (
    lightning_wallet_connect,
    lightning_wallet_remove,
    lightning_wallet_test,
    wallet_kind_detect,
)
from payments.lightning.wallets import WalletRefused, WalletUnavailable, adapter_class
from web.ratelimit import hit

# Connecting and testing make Bitcache send requests to a host the creator names (or to
# their wallet): a few an hour is plenty, and keeps the page from being a request cannon.
ATTEMPTS_PER_HOUR = 20


def _over_limit(creator: Creator) -> bool:
    return hit("lightning-wallet", str(creator.pk), limit=ATTEMPTS_PER_HOUR, period=3600)


def _too_many() -> str:
    return _("Too many connection attempts this hour: try again later.")


def _available(kind: str) -> bool:
    try:
        adapter_class(kind)
    except KeyError:
        return False
    return True


@sensitive_post_parameters("text")
@sensitive_variables("text")
@creator_required
def lightning_page(request: HttpRequest, *, creator: Creator) -> HttpResponse:
    form = LightningConnectForm(request.POST or None)
    if form.is_valid():
        text = form.cleaned_data["text"]
        if _over_limit(creator):
            form.add_error("text", _too_many())
            return _render(request, creator, form)
        try:
            kind = wallet_kind_detect(text)
            wallet = lightning_wallet_connect(creator=creator, kind=kind, text=text)
        except (WalletRefused, WalletUnavailable) as problem:
            form.add_error("text", problem.message)
        else:
            messages.success(
                request,
                _("Connected: %(label)s. Test the connection to make sure invoices work.")
                % {"label": wallet.label},
            )
            return redirect("creators:lightning")
    return _render(request, creator, form)


def _render(request: HttpRequest, creator: Creator, form: LightningConnectForm) -> HttpResponse:
    context = {
        "form": form,
        "wallet": selectors.lightning_wallet_of(creator=creator),
        "nwc_available": _available(LightningWalletKind.NWC),
    }
    return render(request, "dashboard/lightning.html", context)


@require_POST
@creator_required
def lightning_test(request: HttpRequest, *, creator: Creator) -> HttpResponse:
    wallet = selectors.lightning_wallet_of(creator=creator)
    if wallet is None:
        messages.error(request, _("Connect a wallet first."))
        return redirect("creators:lightning")
    if _over_limit(creator):
        messages.error(request, _too_many())
        return redirect("creators:lightning")
    try:
        tested = lightning_wallet_test(wallet=wallet)
    except WalletUnavailable as problem:
        messages.error(request, _("The test failed: %(problem)s") % {"problem": problem.message})
    else:
        messages.success(
            request,
            _(
                "The test worked: your wallet made an invoice for %(sats)s sat, signed by "
                "node %(payee)s, and Bitcache checked it. Nobody pays it."
            )
            % {"sats": tested.amount_sats, "payee": tested.payee},
        )
    return redirect("creators:lightning")


@require_POST
@creator_required
def lightning_remove(request: HttpRequest, *, creator: Creator) -> HttpResponse:
    wallet = selectors.lightning_wallet_of(creator=creator)
    if wallet is not None:
        lightning_wallet_remove(wallet=wallet)
        messages.success(
            request,
            _("Wallet removed. Bitcache no longer asks it for invoices; your funds are untouched."),
        )
    return redirect("creators:lightning")
