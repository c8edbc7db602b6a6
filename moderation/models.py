"""What moderation keeps: the append-only log, viewer reports and the staff word list.

The tables were created by the creators app and keep their names, so a site upgraded
from then keeps its whole moderation history.
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxLengthValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from creators.models import Creator


class ModerationAction(models.TextChoices):
    APPROVE = "approve", _("Approve")
    REJECT = "reject", _("Reject")
    SUSPEND = "suspend", _("Suspend")
    REINSTATE = "reinstate", _("Reinstate")
    VERIFY = "verify", _("Mark verified")
    UNVERIFY = "unverify", _("Remove verified badge")
    HIDE_MESSAGE = "hide_message", _("Hide a tip message")
    RESOLVE_REPORT = "resolve_report", _("Resolve a report")


class AppendOnlyQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise PermissionError("The moderation log is append-only.")

    def delete(self):
        raise PermissionError("The moderation log is append-only.")


class ModerationLogEntry(models.Model):
    """One staff action: who, when, on whom, what and why. Never edited or deleted."""

    creator = models.ForeignKey(Creator, on_delete=models.PROTECT, related_name="moderation_log")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="moderation_actions"
    )
    action = models.CharField(max_length=32, choices=ModerationAction.choices)
    reason = models.TextField()
    from_status = models.CharField(max_length=16, blank=True)
    to_status = models.CharField(max_length=16, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        db_table = "creators_moderationlogentry"
        ordering = ["-created_at", "-pk"]
        verbose_name_plural = "moderation log"

    def __str__(self) -> str:
        return f"{self.get_action_display()} {self.creator} by {self.actor}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise PermissionError("The moderation log is append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionError("The moderation log is append-only.")


class ReportReason(models.TextChoices):
    SCAM = "scam", _("Scam or fraud")
    IMPERSONATION = "impersonation", _("Pretends to be someone else")
    ILLEGAL = "illegal", _("Illegal content")
    HATE = "hate", _("Hate or harassment")
    SPAM = "spam", _("Spam")
    OTHER = "other", _("Something else")


class Report(models.Model):
    """A viewer's report about a creator, from the tip page or a widget (no account)."""

    creator = models.ForeignKey(Creator, on_delete=models.CASCADE, related_name="reports")
    reason = models.CharField(max_length=20, choices=ReportReason.choices)
    details = models.TextField(blank=True, validators=[MaxLengthValidator(1000)])
    # A keyed hash of the reporter's IP: enough to rate-limit and spot floods, not to track.
    reporter_fingerprint = models.CharField(max_length=64, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    resolution_note = models.TextField(blank=True)

    class Meta:
        db_table = "creators_report"
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"report on {self.creator}: {self.get_reason_display()}"


class FlaggedTerm(models.Model):
    """A word or phrase that sends a tip message to review before it is shown (staff-edited)."""

    term = models.CharField(max_length=100, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        db_table = "creators_flaggedterm"

    def __str__(self) -> str:
        return self.term
