"""Creator pages. None takes an id: the signed-in user's own creator is the scope."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.debug import sensitive_post_parameters

from creators import selectors, services
from creators.avatar_stash import (
    avatar_forget,
    avatar_keep_after_refusal,
    files_with_stashed_avatar,
    stashed_avatar_url,
)
from creators.forms import CreatorProfileEditForm, CreatorProfileForm, WalletKeyForm
from creators.models import Creator
from dashboard.events import live_context
from dashboard.overview import chart_days, overview_context
from moderation import selectors as moderation_selectors
from web.auth import AuthenticatedHttpRequest

# How many receive addresses the creator compares with their wallet before confirming.
PREVIEW_ADDRESSES = 5


def creator_required(view: Callable[..., HttpResponseBase]) -> Callable[..., HttpResponseBase]:
    """Sign-in required; the view gets the user's own creator as `creator`.

    A user who has not made a profile yet is sent to make one.
    """

    @login_required
    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponseBase:
        creator = selectors.creator_for_user(user=request.user)
        if creator is None:
            return redirect("creators:onboarding")
        return view(request, *args, creator=creator, **kwargs)

    return wrapper


@creator_required
def dashboard(request: HttpRequest, *, creator: Creator) -> HttpResponse:
    wallet_key = selectors.wallet_key_active(creator=creator)
    live = live_context(creator, "overview")  # before the tips: nothing falls between
    return render(
        request,
        "dashboard/overview.html",
        {
            "creator": creator,
            "wallet_key": wallet_key,
            "status_change": moderation_selectors.creator_latest_status_change(creator=creator),
            "live": live,
            **overview_context(
                creator=creator, wallet_key=wallet_key, days=chart_days(request.GET.get("days"))
            ),
        },
    )


@login_required
def onboarding(request: AuthenticatedHttpRequest) -> HttpResponse:
    if selectors.creator_for_user(user=request.user) is not None:
        return redirect("creators:dashboard")
    files = files_with_stashed_avatar(request)
    form = CreatorProfileForm(request.POST or None, files or None)
    if form.is_valid():
        try:
            services.creator_create(user=request.user, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            avatar_forget(request)
            messages.success(request, _("Your creator profile is ready."))
            return redirect("creators:dashboard")
    if form.is_bound:
        avatar_keep_after_refusal(request, form)
    context = {"form": form, "stashed_avatar_url": stashed_avatar_url(request)}
    return render(request, "dashboard/onboarding.html", context)


@creator_required
def profile_edit(request: HttpRequest, *, creator: Creator) -> HttpResponse:
    files = files_with_stashed_avatar(request)
    form = CreatorProfileEditForm(request.POST or None, files or None, instance=creator)
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.creator_update(
                creator=creator,
                display_name=data["display_name"],
                bio=data["bio"],
                channel_url=data["channel_url"],
                # The clear checkbox gives False; "no avatar" is None for the service.
                avatar=data["avatar"] or None,
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            avatar_forget(request)
            messages.success(request, _("Your profile is saved."))
            return redirect("creators:dashboard")
    if form.is_bound:
        avatar_keep_after_refusal(request, form)
    context = {"form": form, "creator": creator, "stashed_avatar_url": stashed_avatar_url(request)}
    return render(request, "dashboard/profile_edit.html", context)


# The pasted text may be a private key or seed words: keep it out of error reports.
@sensitive_post_parameters("key")
@creator_required
def wallet_key(request: HttpRequest, *, creator: Creator) -> HttpResponse:
    form = WalletKeyForm(request.POST or None, creator=creator)
    if form.is_valid():
        key = form.cleaned_data["watch_key"]
        if not form.is_confirmation:
            return render(
                request,
                "dashboard/wallet_key_preview.html",
                {
                    "creator": creator,
                    "key": key,
                    "original": form.cleaned_data["key"],
                    "addresses": key.addresses(start=0, count=PREVIEW_ADDRESSES),
                },
            )
        try:
            services.wallet_key_register(
                creator=creator, key=key, original=form.cleaned_data["key"]
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Your wallet key is saved. New tips will use it."))
            return redirect("creators:wallet_key")
    return render(
        request,
        "dashboard/wallet_key.html",
        {
            "creator": creator,
            "form": form,
            "wallet_key": selectors.wallet_key_active(creator=creator),
            "retired_keys": selectors.wallet_keys_retired(creator=creator),
        },
    )
