"""Writes for creators: profiles, wallet keys and moderation.

Each function checks its own rules, so the creator pages, the admin and any
future API or command get the same behaviour. Refusals are ValidationErrors a
form can show as they are.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable
from datetime import datetime, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files import File
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.translation import gettext_lazy as _

from creators.models import ApiKey, Creator, CreatorStatus, WalletKey
from creators.scoping import owned_by
from creators.selectors import (
    creator_handle_taken,
    wallet_key_registered_elsewhere,
    wallet_keys_with_chain,
)
from web.currencies import CURRENCIES

if TYPE_CHECKING:
    from django.contrib.auth.models import User
    from django_stubs_ext import StrOrPromise

    from btc import WatchKey

HANDLE_TAKEN = _("This handle is taken. Please pick another one.")
KEY_REGISTERED_ELSEWHERE = _(
    "This key is already registered by another creator. Each creator needs a key of "
    "their own wallet."
)


# --- Profiles ---------------------------------------------------------------


def creator_create(
    *,
    user: User,
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
MAX_SUGGESTIONS = 6
TOO_MANY_SUGGESTIONS = _("At most %(max)d suggested amounts.")
SUGGESTION_OUT_OF_RANGE = _(
    "Suggested amounts must be between your minimum (%(min)s sats) and %(max)s sats."
)


def suggested_amounts_clean(
    amounts: Iterable[int], *, minimum: int, out_of_range: StrOrPromise
) -> list[int]:
    """The suggested amounts viewers are offered, sorted and without repeats, each between
    `minimum` and the site's maximum; `out_of_range` says so with %(min)s and %(max)s."""
    suggestions = sorted(set(amounts))
    maximum = settings.BITCACHE_MAX_TIP_SATS
    if len(suggestions) > MAX_SUGGESTIONS:
        raise ValidationError(TOO_MANY_SUGGESTIONS, params={"max": MAX_SUGGESTIONS})
    if any(not minimum <= amount <= maximum for amount in suggestions):
        raise ValidationError(
            out_of_range,
            params={
                "min": number_format(minimum, force_grouping=True),
                "max": number_format(maximum, force_grouping=True),
            },
        )
    return suggestions


def _fiat_amounts_clean(
    errors: dict[str, ValidationError],
    *,
    currency: str,
    min_tip_fiat: Decimal | None,
    suggested_fiat: list[Decimal],
) -> list[str]:
    """The fiat minimum and suggestions checked against the currency's digits; the
    suggestions back as sorted decimal strings."""
    places = Decimal(1).scaleb(-CURRENCIES[currency].minor_units)
    example = {"currency": currency, "places": CURRENCIES[currency].minor_units}
    if min_tip_fiat is not None and (
        min_tip_fiat <= 0 or min_tip_fiat != min_tip_fiat.quantize(places)
    ):
        errors["min_tip_fiat"] = ValidationError(FIAT_AMOUNT_INVALID, params=example)
    suggestions = sorted(set(suggested_fiat))
    if len(suggestions) > MAX_SUGGESTIONS:
        errors["suggested_fiat"] = ValidationError(
            TOO_MANY_SUGGESTIONS, params={"max": MAX_SUGGESTIONS}
        )
    elif any(amount <= 0 or amount != amount.quantize(places) for amount in suggestions):
        errors["suggested_fiat"] = ValidationError(FIAT_AMOUNT_INVALID, params=example)
    elif min_tip_fiat is not None and any(amount < min_tip_fiat for amount in suggestions):
        errors["suggested_fiat"] = ValidationError(
            _("Suggested amounts in %(currency)s must be at least your minimum in %(currency)s."),
            params={"currency": currency},
        )
    return [str(amount.quantize(places)) for amount in suggestions]


FIAT_AMOUNT_INVALID = _(
    "Amounts in %(currency)s above zero, with at most %(places)d digits after the point."
)


def creator_tip_settings_update(
    *,
    creator: Creator,
    min_tip_sats: int,
    suggested_amounts: list[int],
    confirmations_required: int,
    thank_you_message: str,
    notify_on_confirmed_tip: bool,
    onchain_min_sats: int | None = None,
    display_currency: str | None = None,
    min_tip_fiat: Decimal | None = None,
    suggested_fiat: list[Decimal] | None = None,
) -> Creator:
    """Change what viewers are offered and how tips are confirmed (for tips made from now on).

    The minimum and suggestions may be given in the display currency too: those convert
    at the rate of the moment a tip is made (payments.pricing), and the sats ones stay the
    floor, and what applies while no fresh rate exists. `onchain_min_sats` None leaves it
    as it is.
    """
    errors: dict[str, ValidationError] = {}
    currency = (display_currency or creator.display_currency).upper()
    if currency not in CURRENCIES:
        errors["display_currency"] = ValidationError(_("Pick a currency from the list."))
        fiat_suggestions: list[str] = []
    else:
        fiat_suggestions = _fiat_amounts_clean(
            errors,
            currency=currency,
            min_tip_fiat=min_tip_fiat,
            suggested_fiat=suggested_fiat or [],
        )
    maximum = settings.BITCACHE_MAX_TIP_SATS
    try:
        suggestions = suggested_amounts_clean(
            suggested_amounts, minimum=min_tip_sats, out_of_range=SUGGESTION_OUT_OF_RANGE
        )
    except ValidationError as error:
        errors["suggested_amounts"] = error
    if not 1 <= confirmations_required <= MAX_CONFIRMATIONS:
        errors["confirmations_required"] = ValidationError(
            _("Between 1 and %(max)d confirmations."), params={"max": MAX_CONFIRMATIONS}
        )
    if onchain_min_sats is not None and not 1 <= onchain_min_sats <= maximum:
        errors["onchain_min_sats"] = ValidationError(
            _("Between 1 and %(max)s sats."),
            params={"max": number_format(maximum, force_grouping=True)},
        )
    if not 1 <= min_tip_sats <= maximum:
        errors["min_tip_sats"] = ValidationError(
            _("Between 1 and %(max)s sats."),
            params={"max": number_format(maximum, force_grouping=True)},
        )
    if errors:
        raise ValidationError(errors)
    creator.min_tip_sats = min_tip_sats
    if onchain_min_sats is not None:
        creator.onchain_min_sats = onchain_min_sats
    creator.suggested_amounts = suggestions
    creator.display_currency = currency
    creator.min_tip_fiat = min_tip_fiat
    creator.suggested_fiat = fiat_suggestions
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
