"""Staff pages at /staff/: the moderation queue, reports, tip messages, the log, platform status.

Each page needs a staff account with one permission (superusers have them all;
see moderation.roles for moderators). Every change goes through creators.services,
which checks the permission again, asks for a reason and writes the log.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from chain.health import check_chain_source
from creators.models import Creator, CreatorStatus
from moderation import selectors, services
from moderation.forms import (
    CreatorActionForm,
    LogFilterForm,
    ModerationReasonForm,
    QueueFilterForm,
    ResolutionNoteForm,
)
from moderation.models import ModerationAction, Report
from moderation.roles import HIDE_TIP_MESSAGE_PERMISSION
from payments import selectors as payment_selectors
from payments.models import Tip, TipStatus
from web.auth import AuthenticatedHttpRequest
from webhooks import selectors as webhook_selectors

PAGE_SIZE = 50
TIPS_PER_DAY_DAYS = 14


def staff_required(permission: str) -> Callable[[Callable[..., HttpResponse]], Callable]:
    """Signed in (else the login page), staff and holding `permission` (else 403)."""

    def decorator(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @wraps(view)
        def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
            if not (request.user.is_staff and request.user.has_perm(permission)):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return login_required(wrapper)

    return decorator


def safe_next(request: HttpRequest, default: str) -> str:
    """The page a form came from (`next`), if it is one of ours; else `default`."""
    target = request.POST.get("next") or request.GET.get("next", "")
    if url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return default


def report_refusals(request: HttpRequest, refusals: list[ValidationError]) -> None:
    for refusal in refusals:
        messages.warning(request, " ".join(refusal.messages))


# --- Creators ----------------------------------------------------------------


@require_safe
@staff_required("creators.view_creator")
def queue(request: HttpRequest) -> HttpResponse:
    filters = QueueFilterForm(request.GET)
    page = Paginator(selectors.creators_for_review(**filters.filters()), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    rows = [(creator, services.creator_moderation_actions(creator)) for creator in page]
    return render(
        request,
        "staff/queue.html",
        {"filters": filters, "page": page, "rows": rows, "actions": services.CREATOR_ACTIONS},
    )


def creator_page(
    request: HttpRequest,
    creator_id: int,
    *,
    note_form: ResolutionNoteForm | None = None,
    note_for: int | str | None = None,
    status: int = 200,
) -> HttpResponse:
    """A creator's file: profile, reports, history, and the actions that apply.

    `note_form` and `note_for` (a report id, or "all") show a refused resolution again.
    """
    creator = get_object_or_404(
        selectors.creators_for_review(show=selectors.QUEUE_ALL), pk=creator_id
    )
    return render(
        request,
        "staff/creator.html",
        {
            "creator": creator,
            "available_actions": services.creator_moderation_actions(creator),
            "reports": selectors.reports_of(creator=creator),
            "history": selectors.moderation_log(handle=creator.handle)[:PAGE_SIZE],
            "note_form": note_form or ResolutionNoteForm(),
            "note_for": note_for,
        },
        status=status,
    )


@require_safe
@staff_required("creators.view_creator")
def creator_detail(request: HttpRequest, creator_id: int) -> HttpResponse:
    return creator_page(request, creator_id)


@staff_required("creators.change_creator")
def act(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Confirm an action on the selected creators and give its reason (GET), then apply (POST)."""
    posted = request.method == "POST"
    selection = CreatorActionForm(request.POST if posted else request.GET)
    if not selection.is_valid():
        return render(request, "staff/act.html", {"selection": selection}, status=400)
    action = ModerationAction(selection.cleaned_data["action"])
    creators = selection.cleaned_data["creators"]
    next_page = safe_next(request, reverse("staff:queue"))
    reason_form = ModerationReasonForm(request.POST if posted else None)
    if posted and reason_form.is_valid():
        done, refusals = services.creators_moderate(
            creators=creators,
            actor=request.user,
            action=action,
            reason=reason_form.cleaned_data["reason"],
        )
        report_refusals(request, refusals)
        if done:
            messages.success(
                request,
                _("%(action)s: done for %(handles)s.")
                % {"action": action.label, "handles": ", ".join(f"@{c.handle}" for c in done)},
            )
        return redirect(next_page)
    context = {"action": action, "creators": creators, "form": reason_form, "next": next_page}
    return render(request, "staff/act.html", context, status=400 if posted else 200)


# --- Reports -----------------------------------------------------------------


@require_POST
@staff_required("moderation.change_report")
def resolve_report(request: AuthenticatedHttpRequest, report_id: int) -> HttpResponse:
    report = get_object_or_404(Report, pk=report_id)
    form = ResolutionNoteForm(request.POST)
    if not form.is_valid():
        return creator_page(
            request, report.creator_id, note_form=form, note_for=report.pk, status=400
        )
    try:
        services.report_resolve(report=report, actor=request.user, note=form.cleaned_data["reason"])
    except ValidationError as refusal:
        report_refusals(request, [refusal])
    else:
        messages.success(request, _("Report resolved."))
    return redirect("staff:creator", report.creator_id)


@require_POST
@staff_required("moderation.change_report")
def resolve_reports(request: AuthenticatedHttpRequest, creator_id: int) -> HttpResponse:
    creator = get_object_or_404(Creator, pk=creator_id)
    form = ResolutionNoteForm(request.POST)
    if not form.is_valid():
        return creator_page(request, creator.pk, note_form=form, note_for="all", status=400)
    resolved = services.reports_resolve_open(
        creator=creator, actor=request.user, note=form.cleaned_data["reason"]
    )
    messages.success(request, _("%(count)d report(s) resolved.") % {"count": len(resolved)})
    return redirect("staff:creator", creator.pk)


# --- Tip messages ------------------------------------------------------------


def messages_page(
    request: HttpRequest,
    *,
    hide_form: ModerationReasonForm | None = None,
    hide_for: int | None = None,
    status: int = 200,
) -> HttpResponse:
    everything = request.GET.get("show") == "all"
    handle = request.GET.get("handle", "").strip().lstrip("@")
    tips = payment_selectors.tip_messages_to_review(awaiting_review=not everything, handle=handle)
    return render(
        request,
        "staff/messages.html",
        {
            "page": Paginator(tips, PAGE_SIZE).get_page(request.GET.get("page")),
            "everything": everything,
            "handle": handle,
            "hide_form": hide_form or ModerationReasonForm(),
            "hide_for": hide_for,
        },
        status=status,
    )


@require_safe
@staff_required(HIDE_TIP_MESSAGE_PERMISSION)
def tip_messages(request: HttpRequest) -> HttpResponse:
    return messages_page(request)


@require_POST
@staff_required(HIDE_TIP_MESSAGE_PERMISSION)
def tip_message_hide(request: AuthenticatedHttpRequest, tip_id: int) -> HttpResponse:
    tip = get_object_or_404(Tip, pk=tip_id)
    form = ModerationReasonForm(request.POST)
    if not form.is_valid():
        return messages_page(request, hide_form=form, hide_for=tip.pk, status=400)
    services.tip_message_hide(tip=tip, actor=request.user, reason=form.cleaned_data["reason"])
    messages.success(request, _("The message is hidden."))
    return redirect(safe_next(request, reverse("staff:messages")))


@require_POST
@staff_required(HIDE_TIP_MESSAGE_PERMISSION)
def tip_message_approve(request: AuthenticatedHttpRequest, tip_id: int) -> HttpResponse:
    services.tip_message_review(tip=get_object_or_404(Tip, pk=tip_id), actor=request.user)
    messages.success(request, _("The message is approved."))
    return redirect(safe_next(request, reverse("staff:messages")))


# --- Log and status ----------------------------------------------------------


@require_safe
@staff_required("moderation.view_moderationlogentry")
def log(request: HttpRequest) -> HttpResponse:
    filters = LogFilterForm(request.GET)
    entries = selectors.moderation_log(**filters.filters())
    page = Paginator(entries, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "staff/log.html", {"filters": filters, "page": page})


@require_safe
@staff_required("creators.view_creator")
def platform_status(request: HttpRequest) -> HttpResponse:
    open_tips = payment_selectors.tips_open_count()
    return render(
        request,
        "staff/status.html",
        {
            "chain": check_chain_source(),
            "open_tips": [(TipStatus(status).label, count) for status, count in open_tips.items()],
            "open_tips_total": sum(open_tips.values()),
            "tips_per_day": payment_selectors.site_tips_per_day(days=TIPS_PER_DAY_DAYS),
            "creators_per_status": [
                (CreatorStatus(status).label, count)
                for status, count in selectors.creators_per_status().items()
            ],
            "webhook_failures": webhook_selectors.webhook_deliveries_failed_count(
                since=timezone.now() - timedelta(hours=24)
            ),
        },
    )
