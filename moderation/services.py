"""Writes of moderation: creator states and their log, viewer reports, tip message holds.

Every staff action needs a reason and writes one append-only log entry.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext_lazy as _

from creators.models import Creator, CreatorStatus
from creators.scoping import owned_by
from creators.selectors import creator_for_user
from moderation.models import ModerationAction, ModerationLogEntry, Report
from moderation.roles import HIDE_TIP_MESSAGE_PERMISSION
from moderation.signals import tip_message_hidden
from payments.models import Tip
from web.ratelimit import hit

if TYPE_CHECKING:
    from django.contrib.auth.models import User

REASON_REQUIRED = _("Give a reason: it goes into the moderation log.")


# --- Moderation -------------------------------------------------------------

# Which statuses each status action applies to, and the status it leads to.
# A rejection can be undone by approving (with a reason, in the log): a moderator's
# mistake must be fixable without editing the database behind the log's back.
# Suspension is undone by reinstating, so approve does not apply to it.
STATUS_TRANSITIONS: dict[ModerationAction, tuple[frozenset[str], CreatorStatus]] = {
    ModerationAction.APPROVE: (
        frozenset({CreatorStatus.PENDING, CreatorStatus.REJECTED}),
        CreatorStatus.ACTIVE,
    ),
    ModerationAction.REJECT: (frozenset({CreatorStatus.PENDING}), CreatorStatus.REJECTED),
    ModerationAction.SUSPEND: (frozenset({CreatorStatus.ACTIVE}), CreatorStatus.SUSPENDED),
    ModerationAction.REINSTATE: (frozenset({CreatorStatus.SUSPENDED}), CreatorStatus.ACTIVE),
}


def creator_approve(*, creator: Creator, actor: User, reason: str) -> Creator:
    return _creator_change_status(
        creator=creator, actor=actor, action=ModerationAction.APPROVE, reason=reason
    )


def creator_reject(*, creator: Creator, actor: User, reason: str) -> Creator:
    return _creator_change_status(
        creator=creator, actor=actor, action=ModerationAction.REJECT, reason=reason
    )


def creator_suspend(*, creator: Creator, actor: User, reason: str) -> Creator:
    return _creator_change_status(
        creator=creator, actor=actor, action=ModerationAction.SUSPEND, reason=reason
    )


def creator_reinstate(*, creator: Creator, actor: User, reason: str) -> Creator:
    return _creator_change_status(
        creator=creator, actor=actor, action=ModerationAction.REINSTATE, reason=reason
    )


def creator_verify(*, creator: Creator, actor: User, reason: str) -> Creator:
    """Give the verified badge: a moderator checked that the creator owns the channel."""

    def verify(locked: Creator) -> None:
        if locked.verified:
            raise ValidationError(
                _("@%(handle)s is already verified."),
                params={"handle": locked.handle},
                code="not_applicable",
            )
        locked.verified = True
        locked.verified_by = actor
        locked.verified_at = timezone.now()

    return _creator_moderate(
        creator=creator, actor=actor, action=ModerationAction.VERIFY, reason=reason, change=verify
    )


def creator_unverify(*, creator: Creator, actor: User, reason: str) -> Creator:
    def unverify(locked: Creator) -> None:
        if not locked.verified:
            raise ValidationError(
                _("@%(handle)s is not verified."),
                params={"handle": locked.handle},
                code="not_applicable",
            )
        locked.verified = False
        locked.verified_by = None
        locked.verified_at = None

    return _creator_moderate(
        creator=creator,
        actor=actor,
        action=ModerationAction.UNVERIFY,
        reason=reason,
        change=unverify,
    )


def _creator_change_status(
    *, creator: Creator, actor: User, action: ModerationAction, reason: str
) -> Creator:
    allowed_from, to_status = STATUS_TRANSITIONS[action]

    def change_status(locked: Creator) -> None:
        if locked.status not in allowed_from:
            raise ValidationError(
                _("@%(handle)s is %(status)s: “%(action)s” does not apply."),
                params={
                    "handle": locked.handle,
                    "status": locked.get_status_display(),
                    "action": action.label,
                },
                code="not_applicable",
            )
        locked.status = to_status

    return _creator_moderate(
        creator=creator, actor=actor, action=action, reason=reason, change=change_status
    )


def _creator_moderate(
    *,
    creator: Creator,
    actor: User,
    action: ModerationAction,
    reason: str,
    change: Callable[[Creator], None],
) -> Creator:
    """Apply one moderator action and log it, both or neither.

    The creator row is locked and re-read first, so two moderators acting at once
    are judged against the status the other one left, not a stale page.
    """
    _require_staff_permission(actor, "creators.change_creator")
    reason = _required_reason(reason)
    with transaction.atomic():
        creator.refresh_from_db(from_queryset=Creator.objects.select_for_update())
        from_status = creator.status
        change(creator)
        creator.save()
        ModerationLogEntry.objects.create(
            creator=creator,
            actor=actor,
            action=action,
            reason=reason,
            from_status=from_status,
            to_status=creator.status,
        )
    return creator


CREATOR_ACTIONS: dict[ModerationAction, Callable[..., Creator]] = {
    ModerationAction.APPROVE: creator_approve,
    ModerationAction.REJECT: creator_reject,
    ModerationAction.SUSPEND: creator_suspend,
    ModerationAction.REINSTATE: creator_reinstate,
    ModerationAction.VERIFY: creator_verify,
    ModerationAction.UNVERIFY: creator_unverify,
}


def creator_moderation_actions(creator: Creator) -> list[ModerationAction]:
    """The actions that apply to the creator as they are now: what a moderator is offered."""
    actions = [
        action
        for action, (allowed_from, _to_status) in STATUS_TRANSITIONS.items()
        if creator.status in allowed_from
    ]
    actions.append(ModerationAction.UNVERIFY if creator.verified else ModerationAction.VERIFY)
    return actions


def creators_moderate(
    *,
    creators: Iterable[Creator],
    actor: User,
    action: ModerationAction,
    reason: str,
) -> tuple[list[Creator], list[ValidationError]]:
    """Apply one action to several creators, each on its own.

    A creator the action does not apply to (say, approving an active creator) is
    refused and the others go ahead; returns the creators done and the refusals.
    """
    done: list[Creator] = []
    refusals: list[ValidationError] = []
    for creator in creators:
        try:
            done.append(CREATOR_ACTIONS[action](creator=creator, actor=actor, reason=reason))
        except ValidationError as refusal:
            refusals.append(refusal)
    return done, refusals


def _require_staff_permission(actor: User, permission: str) -> None:
    if not (actor.is_active and actor.is_staff and actor.has_perm(permission)):
        raise PermissionDenied(f"Only staff with {permission} can do this.")


def _required_reason(reason: str) -> str:
    reason = reason.strip()
    if not reason:
        raise ValidationError(REASON_REQUIRED, code="reason_required")
    return reason


# --- Viewer reports ---------------------------------------------------------

# Per client address (as a fingerprint): a few reports an hour about one creator, and
# enough in all for someone reporting a wave of scam pages, not for a flood.
REPORTS_PER_CREATOR_PER_HOUR = 3
REPORTS_PER_HOUR = 20
REPORT_RATE_PERIOD = 60 * 60
REPORTS_TOO_FAST = _("You sent several reports in a short time. Please slow down and try later.")


def reporter_fingerprint(client_ip: str) -> str:
    """A keyed hash of the address: enough to count one client's reports, not to find them.

    Keyed with SECRET_KEY, so a copy of the database alone cannot be matched against
    the (small) space of IP addresses.
    """
    return salted_hmac("creators.report.fingerprint", client_ip, algorithm="sha256").hexdigest()


def report_create(*, creator: Creator, reason: str, details: str = "", client_ip: str) -> Report:
    """A viewer's report about a creator, for the moderation queue. Rate-limited per client."""
    fingerprint = reporter_fingerprint(client_ip)
    report = Report(
        creator=creator, reason=reason, details=details.strip(), reporter_fingerprint=fingerprint
    )
    report.full_clean()
    if hit(
        "report-creator",
        f"{fingerprint}:{creator.pk}",
        limit=REPORTS_PER_CREATOR_PER_HOUR,
        period=REPORT_RATE_PERIOD,
    ) or hit("report", fingerprint, limit=REPORTS_PER_HOUR, period=REPORT_RATE_PERIOD):
        raise ValidationError(REPORTS_TOO_FAST, code="rate_limited")
    report.save()
    return report


def report_resolve(*, report: Report, actor: User, note: str) -> Report:
    """Close one open report with a note; the note goes into the moderation log."""
    _require_staff_permission(actor, "moderation.change_report")
    note = _required_reason(note)
    with transaction.atomic():
        report.refresh_from_db(from_queryset=Report.objects.select_for_update())
        if report.resolved_at is not None:
            raise ValidationError(_("This report was already resolved."), code="not_applicable")
        _report_close(report, actor=actor, note=note)
    return report


def reports_resolve_open(*, creator: Creator, actor: User, note: str) -> list[Report]:
    """Close all of a creator's open reports with one note (one log entry each)."""
    _require_staff_permission(actor, "moderation.change_report")
    note = _required_reason(note)
    with transaction.atomic():
        reports = list(
            Report.objects.select_for_update()
            .select_related("creator")
            .filter(creator=creator, resolved_at__isnull=True)
        )
        for report in reports:
            _report_close(report, actor=actor, note=note)
    return reports


def _report_close(report: Report, *, actor: User, note: str) -> None:
    report.resolved_at = timezone.now()
    report.resolved_by = actor
    report.resolution_note = note
    report.save(update_fields=["resolved_at", "resolved_by", "resolution_note"])
    ModerationLogEntry.objects.create(
        creator=report.creator,
        actor=actor,
        action=ModerationAction.RESOLVE_REPORT,
        reason=f"Report #{report.pk} ({report.reason}): {note}",
    )


# --- Tip messages -----------------------------------------------------------


def creator_hold_flagged_messages_set(*, creator: Creator, hold: bool) -> Creator:
    """The creator's choice: hold messages matching the word list for review, or show all."""
    creator.hold_flagged_messages = hold
    creator.save(update_fields=["hold_flagged_messages", "updated_at"])
    return creator


def tip_message_hide(*, tip: Tip, actor: User, reason: str) -> Tip:
    """Hide a tip's message from every public place, for good.

    The tip's creator may hide messages of their own tips (no reason needed); a
    moderator must give a reason, and the hide goes into the moderation log.
    """
    as_moderator = _acts_on_message_as_moderator(tip=tip, actor=actor)
    if as_moderator:
        reason = _required_reason(reason)
    with transaction.atomic():
        tip.refresh_from_db(from_queryset=Tip.objects.select_for_update())
        if not tip.message:
            raise ValidationError(_("This tip has no message."), code="not_applicable")
        if tip.message_hidden:
            return tip
        tip.message_hidden = True
        tip.message_hidden_by = actor
        # Only these fields: the chain watcher may be crediting this tip meanwhile.
        tip.save(update_fields=["message_hidden", "message_hidden_by", "updated_at"])
        tip_message_hidden.send(sender=Tip, tip=tip)
        if as_moderator:
            ModerationLogEntry.objects.create(
                creator=tip.creator,
                actor=actor,
                action=ModerationAction.HIDE_MESSAGE,
                reason=f"Tip #{tip.pk}: {reason}",
            )
    return tip


def tip_message_unhide(*, tip: Tip, actor: User) -> Tip:
    """The creator shows again a message they hid themselves; a moderator's hide stays."""
    if _acts_on_message_as_moderator(tip=tip, actor=actor):
        raise PermissionDenied("Only the tip's creator can show a message again.")
    with transaction.atomic():
        tip.refresh_from_db(from_queryset=Tip.objects.select_for_update())
        if not tip.message_hidden:
            return tip
        if tip.message_hidden_by_id != actor.pk:
            raise ValidationError(
                _("A moderator hid this message: it stays hidden."), code="hidden_by_moderator"
            )
        tip.message_hidden = False
        tip.message_hidden_by = None
        tip.save(update_fields=["message_hidden", "message_hidden_by", "updated_at"])
    return tip


def tip_message_review(*, tip: Tip, actor: User) -> Tip:
    """Approve a flagged message: it shows publicly even if the creator holds flagged ones."""
    _acts_on_message_as_moderator(tip=tip, actor=actor)
    with transaction.atomic():
        tip.refresh_from_db(from_queryset=Tip.objects.select_for_update())
        if tip.message_flagged and tip.message_reviewed_at is None:
            tip.message_reviewed_at = timezone.now()
            tip.save(update_fields=["message_reviewed_at", "updated_at"])
    return tip


def _acts_on_message_as_moderator(*, tip: Tip, actor: User) -> bool:
    """False for the tip's own creator, True for a moderator; anyone else is refused."""
    creator = creator_for_user(user=actor)
    if creator is not None and owned_by(creator, Tip).filter(pk=tip.pk).exists():
        return False
    _require_staff_permission(actor, HIDE_TIP_MESSAGE_PERMISSION)
    return True
