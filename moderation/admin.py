"""Moderation in the Django admin.

A creator's status and badge change only through the actions below, which ask
for a reason and go through services.py, so each change is in the moderation log.
The log itself is read-only here, as it is in the model. Moderators (not
superusers) see a creator's page read-only, and edit the word list. The staff
pages at /staff/ do the same work with the site's look; both call the same services.
"""

from __future__ import annotations

from django.contrib import admin, messages
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.db import models
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from creators.models import Creator, WalletKey
from moderation import services
from moderation.forms import ModerationReasonForm
from moderation.models import FlaggedTerm, ModerationAction, ModerationLogEntry
from web.auth import AuthenticatedHttpRequest


def moderation_action(action: ModerationAction):
    """An admin action that asks for a reason, then applies `action` to each selected creator.

    Each creator is moderated on its own: one that the action does not apply to
    (say, approving an active creator) is reported and the others go ahead.
    """

    @admin.action(permissions=["change"], description=action.label)
    def apply(
        modeladmin: CreatorAdmin, request: AuthenticatedHttpRequest, queryset: QuerySet[Creator]
    ) -> HttpResponse | None:
        form = ModerationReasonForm(request.POST if "apply" in request.POST else None)
        if not form.is_valid():
            return TemplateResponse(
                request,
                "admin/creators/creator/moderation_reason.html",
                {
                    **modeladmin.admin_site.each_context(request),
                    "title": action.label,
                    "opts": modeladmin.model._meta,
                    "action_name": action.value,
                    "creators": queryset,
                    "form": form,
                    "action_checkbox_name": ACTION_CHECKBOX_NAME,
                },
            )
        done, refusals = services.creators_moderate(
            creators=queryset, actor=request.user, action=action, reason=form.cleaned_data["reason"]
        )
        for refusal in refusals:
            modeladmin.message_user(request, " ".join(refusal.messages), messages.WARNING)
        if done:
            modeladmin.message_user(
                request,
                _("%(action)s: done for %(count)d creator(s).")
                % {"action": action.label, "count": len(done)},
                messages.SUCCESS,
            )
        return None

    # The admin names actions after their function; each needs its own name.
    apply.__name__ = action.value
    return apply


class ModerationLogInline(admin.TabularInline):
    """The creator's moderation history, on their admin page."""

    model = ModerationLogEntry
    fields = readonly_fields = (
        "created_at",
        "action",
        "from_status",
        "to_status",
        "actor",
        "reason",
    )
    extra = 0
    can_delete = False
    show_change_link = True

    def has_add_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


class WalletKeyInline(admin.TabularInline):
    """Read-only: keys are the creator's to register, and replaced keys stay watched."""

    model = WalletKey
    fields = readonly_fields = (
        "descriptor",
        "script_type",
        "network",
        "is_active",
        "next_index",
        "retired_at",
    )
    extra = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(Creator)
class CreatorAdmin(admin.ModelAdmin):
    list_display = ["handle", "display_name", "user_email", "status", "verified", "created_at"]
    list_filter = ["status", "verified", "created_at"]
    search_fields = ["handle", "display_name", "user__email", "channel_url"]
    list_select_related = ["user"]
    ordering = ["-created_at"]
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    # Status and badge go through the actions (reason + log), never the form.
    readonly_fields = [
        "user",
        "handle",
        "status",
        "verified",
        "verified_by",
        "verified_at",
        "created_at",
        "updated_at",
    ]
    fields = [
        ("handle", "user"),
        ("status", "verified", "verified_by", "verified_at"),
        "display_name",
        "bio",
        "channel_url",
        "avatar",
        ("min_tip_sats", "confirmations_required"),
        "suggested_amounts",
        "thank_you_message",
        ("created_at", "updated_at"),
    ]
    inlines = [WalletKeyInline, ModerationLogInline]
    actions = [moderation_action(action) for action in services.CREATOR_ACTIONS]

    @admin.display(description=gettext_lazy("email"), ordering="user__email")
    def user_email(self, creator: Creator) -> str:
        return creator.user.email

    def has_add_permission(self, request: HttpRequest) -> bool:
        # Creators sign up themselves; staff do not make accounts on their behalf.
        return False

    def has_change_permission(self, request: HttpRequest, obj: Creator | None = None) -> bool:
        # Moderators' "change" is for the actions (logged); editing a creator's profile and
        # tip settings in the form is left to superusers.
        if obj is not None and not request.user.is_superuser:
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: Creator | None = None) -> bool:
        # Creators are suspended or rejected, never deleted: their tips and log stay.
        return False


@admin.register(ModerationLogEntry)
class ModerationLogEntryAdmin(admin.ModelAdmin):
    """Every moderator action, for any staff member to read; nobody can edit it."""

    list_display = ["created_at", "creator", "action", "from_status", "to_status", "actor"]
    list_filter = ["action", "created_at", ("actor", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["creator__handle", "actor__email", "reason"]
    list_select_related = ["creator", "actor"]
    date_hierarchy = "created_at"

    def has_module_permission(self, request: HttpRequest) -> bool:
        return request.user.is_active and request.user.is_staff

    def has_view_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return request.user.is_active and request.user.is_staff

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(FlaggedTerm)
class FlaggedTermAdmin(admin.ModelAdmin):
    """The word list: tip messages matching a term are flagged when the tip is made."""

    list_display = ["term", "created_at"]
    search_fields = ["term"]
    ordering = ["term"]
