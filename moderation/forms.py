"""Forms of the staff pages and of viewers' reports."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any

from django import forms
from django.contrib.auth import get_user_model
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from creators.models import Creator, CreatorStatus
from moderation.models import ModerationAction, ReportReason
from moderation.selectors import QUEUE_ALL, QUEUE_ATTENTION, QUEUE_REPORTED
from moderation.services import CREATOR_ACTIONS


class ModerationReasonForm(forms.Form):
    """The reason every moderator action needs; it is written to the moderation log."""

    reason = forms.CharField(
        label=_("Reason"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_(
            "Kept in the moderation log. A suspended or rejected creator sees it on "
            "their dashboard."
        ),
    )


class ResolutionNoteForm(ModerationReasonForm):
    """The note that closes a report; kept with it and in the moderation log."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["reason"].label = _("Resolution note")
        self.fields["reason"].help_text = _("Kept with the report and in the moderation log.")
        self.fields["reason"].widget.attrs["rows"] = 2


class CreatorActionForm(forms.Form):
    """Which action, on which creators: what the queue's buttons and checkboxes send."""

    action = forms.ChoiceField(choices=[(action.value, action.label) for action in CREATOR_ACTIONS])
    creators = forms.ModelMultipleChoiceField(
        queryset=Creator.objects.order_by("handle"),
        widget=forms.MultipleHiddenInput,
        error_messages={"required": _("Select at least one creator.")},
    )


class QueueFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=100)
    show = forms.ChoiceField(
        label=_("Show"),
        required=False,
        choices=[
            (QUEUE_ATTENTION, _("Needs attention")),
            (QUEUE_REPORTED, _("With open reports")),
            *CreatorStatus.choices,
            (QUEUE_ALL, _("All creators")),
        ],
    )

    def filters(self) -> dict[str, str]:
        """For creators_for_review. A search looks through every creator unless told otherwise."""
        if not self.is_valid():
            return {"show": QUEUE_ATTENTION}
        search = self.cleaned_data["q"].strip()
        show = self.cleaned_data["show"] or (QUEUE_ALL if search else QUEUE_ATTENTION)
        return {"show": show, "search": search}


class LogFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=100)
    action = forms.ChoiceField(
        label=_("Action"),
        required=False,
        choices=[("", _("Any action")), *ModerationAction.choices],
    )
    actor = forms.ModelChoiceField(
        label=_("Moderator"),
        required=False,
        empty_label=_("Anyone"),
        queryset=get_user_model()
        .objects.filter(moderation_actions__isnull=False)
        .distinct()
        .order_by("username"),
    )
    handle = forms.CharField(label=_("Creator handle"), required=False, max_length=30)
    since = forms.DateField(
        label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    until = forms.DateField(
        label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def filters(self) -> dict[str, Any]:
        """For selectors.moderation_log; both dates are whole days, in the site's time zone."""
        if not self.is_valid():
            return {}
        data = self.cleaned_data
        return {
            "search": data["q"].strip(),
            "action": data["action"],
            "actor": data["actor"],
            "handle": data["handle"].strip().lstrip("@"),
            "since": _start_of(data["since"]),
            "until": _start_of(data["until"] + timedelta(days=1) if data["until"] else None),
        }


def _start_of(day: date | None) -> datetime | None:
    return None if day is None else timezone.make_aware(datetime.combine(day, time.min))


class ReportForm(forms.Form):
    """A viewer's report: no account, a reason from the list and optional details."""

    reason = forms.ChoiceField(
        label=_("What is wrong?"), choices=ReportReason.choices, widget=forms.RadioSelect
    )
    details = forms.CharField(
        label=_("Details"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Optional: what you saw, and where. Moderators read every report."),
    )


class HoldFlaggedMessagesForm(forms.Form):
    hold = forms.BooleanField(
        label=_("Hold flagged messages for my review"),
        required=False,
        help_text=_(
            "Messages with words from the site's word list are not shown publicly until you "
            "or a moderator approve them. Unticked, every message shows at once."
        ),
    )
