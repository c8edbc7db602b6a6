"""Writes for creators: profiles, wallet keys and moderation.

Each function checks its own rules, so the creator pages, the admin and any
future API or command get the same behaviour. Refusals are ValidationErrors a
form can show as they are.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable, Iterable
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files import File
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext_lazy as _

from bitcache.ratelimit import hit
from creators.models import (
    ApiKey,
    Creator,
    CreatorStatus,
    ModerationAction,
    ModerationLogEntry,
    Report,
    WalletKey,
)
from creators.roles import HIDE_TIP_MESSAGE_PERMISSION
from creators.scoping import owned_by
from creators.selectors import (
    creator_for_user,
    creator_handle_taken,
    wallet_key_registered_elsewhere,
    wallet_keys_with_chain,
)
from payments.models import Tip

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser

    from btc import WatchKey

HANDLE_TAKEN = _("This handle is taken. Please pick another one.")
KEY_REGISTERED_ELSEWHERE = _(
    "This key is already registered by another creator. Each creator needs a key of "
    "their own wallet."
)
REASON_REQUIRED = _("Give a reason: it goes into the moderation log.")


# --- Profiles ---------------------------------------------------------------


def creator_create(
    *,
    user: AbstractBaseUser,
    handle: str,
    display_name: str,
    bio: str = "",
    channel_url: str = "",
    avatar: File | None = None,
) -> Creator:
    """Create the user's creator profile, pending review if the site requires approval."""
    creator = Creator(
        user=user,
        handle=handle,
        display_name=display_name,
        bio=bio,
        channel_url=channel_url,
        avatar=avatar or "",
        status=(
            CreatorStatus.PENDING if settings.BITCACHE_REQUIRE_APPROVAL else CreatorStatus.ACTIVE
        ),
        min_tip_sats=settings.BITCACHE_DEFAULT_MIN_TIP_SATS,
    )
    return _creator_save(creator)


def creator_update(
    *,
    creator: Creator,
    display_name: str,
    bio: str,
    channel_url: str,
    avatar: File | None,
) -> Creator:
    """Change the public profile; `avatar=None` removes the picture.

    The handle is not editable: it was what moderators approved, and renaming an
    approved account to someone else's name would skip review.
    """
    creator.display_name = display_name
    creator.bio = bio
    creator.channel_url = channel_url
    creator.avatar = avatar or ""
    return _creator_save(creator)


def _creator_save(creator: Creator) -> Creator:
    # The database refuses a handle that differs only in case; check first so the
    # creator gets a sentence instead of a constraint name, and again after a
    # concurrent sign-up won the race between our check and our insert.
    if creator_handle_taken(handle=creator.handle, exclude=creator):
        raise ValidationError({"handle": HANDLE_TAKEN}, code="taken")
    creator.full_clean(validate_constraints=False)
    try:
        with transaction.atomic():
            creator.save()
    except IntegrityError:
        if creator_handle_taken(handle=creator.handle, exclude=creator):
            raise ValidationError({"handle": HANDLE_TAKEN}, code="taken") from None
        raise
    return creator


# --- Tip settings -----------------------------------------------------------

# Beyond this many confirmations a creator waits hours for nothing: a reorg that deep
# has not happened in bitcoin's history.
MAX_CONFIRMATIONS = 12
TOO_MANY_SUGGESTIONS = _("At most %(max)d suggested amounts.")
SUGGESTION_OUT_OF_RANGE = _(
    "Suggested amounts must be between your minimum (%(min)s sats) and %(max)s sats."
)


def creator_tip_settings_update(
    *,
    creator: Creator,
    min_tip_sats: int,
    suggested_amounts: list[int],
    confirmations_required: int,
    thank_you_message: str,
    notify_on_confirmed_tip: bool,
) -> Creator:
    """Change what viewers are offered and how tips are confirmed (for tips made from now on)."""
    from widgets.selectors import MAX_SUGGESTIONS  # widgets builds on creators, not the reverse

    errors: dict[str, ValidationError] = {}
    suggestions = sorted(set(suggested_amounts))
    maximum = settings.BITCACHE_MAX_TIP_SATS
    if len(suggestions) > MAX_SUGGESTIONS:
        errors["suggested_amounts"] = ValidationError(
            TOO_MANY_SUGGESTIONS, params={"max": MAX_SUGGESTIONS}
        )
    elif any(not min_tip_sats <= amount <= maximum for amount in suggestions):
        errors["suggested_amounts"] = ValidationError(
            SUGGESTION_OUT_OF_RANGE, params={"min": f"{min_tip_sats:,}", "max": f"{maximum:,}"}
        )
    if not 1 <= confirmations_required <= MAX_CONFIRMATIONS:
        errors["confirmations_required"] = ValidationError(
            _("Between 1 and %(max)d confirmations."), params={"max": MAX_CONFIRMATIONS}
        )
    if not 1 <= min_tip_sats <= maximum:
        errors["min_tip_sats"] = ValidationError(
            _("Between 1 and %(max)s sats."), params={"max": f"{maximum:,}"}
        )
    if errors:
        raise ValidationError(errors)
    creator.min_tip_sats = min_tip_sats
    creator.suggested_amounts = suggestions
    creator.confirmations_required = confirmations_required
    creator.thank_you_message = thank_you_message.strip()
    creator.notify_on_confirmed_tip = notify_on_confirmed_tip
    creator.full_clean(validate_constraints=False)
    creator.save()
    return creator


# --- API keys ---------------------------------------------------------------

API_KEY_PREFIX = "bc_"
# Last-used times are for the creator's eyes; one write a minute per key is plenty.
API_KEY_TOUCH_INTERVAL = timedelta(minutes=1)


def api_key_create(*, creator: Creator, name: str) -> tuple[ApiKey, str]:
    """A new key and its token. The token is returned this once and never stored."""
    token = f"{API_KEY_PREFIX}{secrets.token_urlsafe(32)}"
    api_key = ApiKey(creator=creator, name=name.strip(), prefix=token[:10])
    api_key.secret_hash = ApiKey.hash(token)
    api_key.full_clean()
    api_key.save()
    return api_key, token


def api_key_revoke(*, api_key: ApiKey) -> ApiKey:
    """The key stops working at once; it stays listed as revoked."""
    if api_key.revoked_at is None:
        api_key.revoked_at = timezone.now()
        api_key.save(update_fields=["revoked_at"])
    return api_key


def api_key_touch(*, api_key: ApiKey, now: datetime) -> None:
    if api_key.last_used_at is None or now - api_key.last_used_at >= API_KEY_TOUCH_INTERVAL:
        ApiKey.objects.filter(pk=api_key.pk).update(last_used_at=now)
        api_key.last_used_at = now


# --- Wallet keys ------------------------------------------------------------


def wallet_key_register(*, creator: Creator, key: WatchKey, original: str) -> WalletKey:
    """Make `key` the one new tips derive addresses from.

    The previous key retires but stays (its addresses are still watched). A key the
    creator had before comes back with its derivation index, and the active key
    stays as it is, so no address is ever derived twice. `original` is the text
    the creator pasted: public data only, as parse_key refused anything else.
    """
    now = timezone.now()
    with transaction.atomic():
        # One registration at a time per creator: two confirmations racing would
        # otherwise both retire the same key.
        creator.refresh_from_db(from_queryset=Creator.objects.select_for_update())
        if wallet_key_registered_elsewhere(creator=creator, key=key):
            raise ValidationError(KEY_REGISTERED_ELSEWHERE, code="registered_elsewhere")
        known = owned_by(creator, wallet_keys_with_chain(key=key)).first()
        if known is not None and known.is_active:
            return known
        owned_by(creator, WalletKey).filter(is_active=True).update(is_active=False, retired_at=now)
        if known is not None:
            known.is_active = True
            known.retired_at = None
            known.confirmed_at = now
            known.save(update_fields=["is_active", "retired_at", "confirmed_at"])
            return known
        return WalletKey.objects.create(
            creator=creator,
            original=original,
            descriptor=key.descriptor,
            script_type=str(key.script_type),
            network=key.network,
            confirmed_at=now,
            is_active=True,
        )


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


def creator_approve(*, creator: Creator, actor: AbstractBaseUser, reason: str) -> Creator:
    return _creator_change_status(
        creator=creator, actor=actor, action=ModerationAction.APPROVE, reason=reason
    )


def creator_reject(*, creator: Creator, actor: AbstractBaseUser, reason: str) -> Creator:
    return _creator_change_status(
        creator=creator, actor=actor, action=ModerationAction.REJECT, reason=reason
    )


def creator_suspend(*, creator: Creator, actor: AbstractBaseUser, reason: str) -> Creator:
    return _creator_change_status(
        creator=creator, actor=actor, action=ModerationAction.SUSPEND, reason=reason
    )


def creator_reinstate(*, creator: Creator, actor: AbstractBaseUser, reason: str) -> Creator:
    return _creator_change_status(
        creator=creator, actor=actor, action=ModerationAction.REINSTATE, reason=reason
    )


def creator_verify(*, creator: Creator, actor: AbstractBaseUser, reason: str) -> Creator:
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


def creator_unverify(*, creator: Creator, actor: AbstractBaseUser, reason: str) -> Creator:
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
    *, creator: Creator, actor: AbstractBaseUser, action: ModerationAction, reason: str
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
    actor: AbstractBaseUser,
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
    actor: AbstractBaseUser,
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


def _require_staff_permission(actor: AbstractBaseUser, permission: str) -> None:
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


def report_resolve(*, report: Report, actor: AbstractBaseUser, note: str) -> Report:
    """Close one open report with a note; the note goes into the moderation log."""
    _require_staff_permission(actor, "creators.change_report")
    note = _required_reason(note)
    with transaction.atomic():
        report.refresh_from_db(from_queryset=Report.objects.select_for_update())
        if report.resolved_at is not None:
            raise ValidationError(_("This report was already resolved."), code="not_applicable")
        _report_close(report, actor=actor, note=note)
    return report


def reports_resolve_open(*, creator: Creator, actor: AbstractBaseUser, note: str) -> list[Report]:
    """Close all of a creator's open reports with one note (one log entry each)."""
    _require_staff_permission(actor, "creators.change_report")
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


def _report_close(report: Report, *, actor: AbstractBaseUser, note: str) -> None:
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


def tip_message_hide(*, tip: Tip, actor: AbstractBaseUser, reason: str) -> Tip:
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
        if as_moderator:
            ModerationLogEntry.objects.create(
                creator=tip.creator,
                actor=actor,
                action=ModerationAction.HIDE_MESSAGE,
                reason=f"Tip #{tip.pk}: {reason}",
            )
    return tip


def tip_message_unhide(*, tip: Tip, actor: AbstractBaseUser) -> Tip:
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


def tip_message_review(*, tip: Tip, actor: AbstractBaseUser) -> Tip:
    """Approve a flagged message: it shows publicly even if the creator holds flagged ones."""
    _acts_on_message_as_moderator(tip=tip, actor=actor)
    with transaction.atomic():
        tip.refresh_from_db(from_queryset=Tip.objects.select_for_update())
        if tip.message_flagged and tip.message_reviewed_at is None:
            tip.message_reviewed_at = timezone.now()
            tip.save(update_fields=["message_reviewed_at", "updated_at"])
    return tip


def _acts_on_message_as_moderator(*, tip: Tip, actor: AbstractBaseUser) -> bool:
    """False for the tip's own creator, True for a moderator; anyone else is refused."""
    creator = creator_for_user(user=actor)
    if creator is not None and owned_by(creator, Tip).filter(pk=tip.pk).exists():
        return False
    _require_staff_permission(actor, HIDE_TIP_MESSAGE_PERMISSION)
    return True
