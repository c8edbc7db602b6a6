"""Writes for creators: profiles, wallet keys and moderation.

Each function checks its own rules, so the creator pages, the admin and any
future API or command get the same behaviour. Refusals are ValidationErrors a
form can show as they are.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files import File
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from creators.models import (
    Creator,
    CreatorStatus,
    ModerationAction,
    ModerationLogEntry,
    WalletKey,
)
from creators.scoping import owned_by
from creators.selectors import (
    creator_handle_taken,
    wallet_key_registered_elsewhere,
    wallet_keys_with_chain,
)

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser

    from creators.keys import WatchKey

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
    if not actor.is_staff:
        raise PermissionDenied("Only staff can moderate creators.")
    reason = reason.strip()
    if not reason:
        raise ValidationError(REASON_REQUIRED, code="reason_required")
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
