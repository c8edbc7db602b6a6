"""The creator's tip messages (/dashboard/messages/): hide, show again, approve held ones,
and choose whether flagged messages are held.

Tips are looked up through owned_by: another creator's tip id is a 404 here.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST, require_safe

from creators.models import Creator
from creators.scoping import owned_by
from dashboard.views import creator_required
from moderation import services
from moderation.forms import HoldFlaggedMessagesForm
from payments import reports
from payments.models import Tip
from payments.selectors import tip_messages_of

PAGE_SIZE = 50


def own_tip_or_404(creator: Creator, public_id: str) -> Tip:
    tip = owned_by(creator, Tip).filter(public_id=public_id).first()
    if tip is None:
        raise Http404
    return tip


@require_safe
@creator_required
def tip_messages(request: HttpRequest, *, creator: Creator) -> HttpResponse:
    return render(
        request,
        "dashboard/messages.html",
        {
            "creator": creator,
            # By keyset on the creator's messages index: the thousandth page of a big
            # creator's messages costs what the first does (reports.tips_page).
            "page": reports.tips_page(
                tip_messages_of(creator),
                older_than=request.GET.get("older", ""),
                newer_than=request.GET.get("newer", ""),
                size=PAGE_SIZE,
            ),
            "policy_form": HoldFlaggedMessagesForm(initial={"hold": creator.hold_flagged_messages}),
        },
    )


@require_POST
@creator_required
def message_policy(request: HttpRequest, *, creator: Creator) -> HttpResponse:
    form = HoldFlaggedMessagesForm(request.POST)
    if form.is_valid():
        services.creator_hold_flagged_messages_set(creator=creator, hold=form.cleaned_data["hold"])
        messages.success(request, _("Your choice is saved."))
    return redirect("creators:messages")


# What each button of a message does, and what the creator is told after.
MESSAGE_ACTIONS = {
    "hide": (
        lambda tip, user: services.tip_message_hide(tip=tip, actor=user, reason=""),
        gettext_lazy("The message is hidden from every public page."),
    ),
    "show": (
        lambda tip, user: services.tip_message_unhide(tip=tip, actor=user),
        gettext_lazy("The message is shown again."),
    ),
    "approve": (
        lambda tip, user: services.tip_message_review(tip=tip, actor=user),
        gettext_lazy("The message is approved and shown publicly."),
    ),
}


@require_POST
@creator_required
def tip_message(request: HttpRequest, public_id: str, *, creator: Creator) -> HttpResponse:
    tip = own_tip_or_404(creator, public_id)
    action = MESSAGE_ACTIONS.get(request.POST.get("do", ""))
    if action is None:
        return HttpResponseBadRequest()
    apply, done = action
    try:
        apply(tip, request.user)
    except ValidationError as refusal:
        messages.warning(request, " ".join(refusal.messages))
    else:
        messages.success(request, done)
    return redirect("creators:messages")
