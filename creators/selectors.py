"""Reads for creator pages, the admin and other apps. Writes live in services.py."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, TypeGuard

from django.contrib.auth.models import AnonymousUser, User
from django.db.models import F, QuerySet

from creators.models import ApiKey, Creator, LightningWallet, WalletKey
from creators.scoping import owned_by

if TYPE_CHECKING:
    from btc import WatchKey

# A base58 extended public key, the form canonical descriptors write keys in.
_EXTENDED_PUBLIC_KEY = re.compile(r"[xt]pub[1-9A-HJ-NP-Za-km-z]{100,}")


def is_staff(user: User | AnonymousUser) -> TypeGuard[User]:
    """Staff or superuser: who moderates, and so who needs a second factor."""
    return bool(user.is_authenticated and (user.is_staff or user.is_superuser))


def creator_for_user(*, user: User | AnonymousUser) -> Creator | None:
    """The creator profile the signed-in user owns, if they made one yet."""
    if not user.is_authenticated:
        return None
    return Creator.objects.filter(user=user).first()


def creator_get_by_handle(handle: str) -> Creator | None:
    """The creator whose tip page is /@handle (handles are unique ignoring case)."""
    return Creator.objects.filter(handle__iexact=handle).first()


def creator_handle_taken(*, handle: str, exclude: Creator | None = None) -> bool:
    """Whether another creator has this handle, ignoring case (as the database does)."""
    others = Creator.objects.filter(handle__iexact=handle)
    if exclude is not None and exclude.pk is not None:
        others = others.exclude(pk=exclude.pk)
    return others.exists()


def wallet_key_active(*, creator: Creator) -> WalletKey | None:
    """The key new tips derive their addresses from."""
    return owned_by(creator, WalletKey.objects.active()).first()


def creator_takes_tips(creator: Creator) -> bool:
    """Approved and with a confirmed wallet key: a tip made now would get an address."""
    return creator.accepts_tips and wallet_key_active(creator=creator) is not None


def wallet_keys_retired(*, creator: Creator) -> QuerySet[WalletKey]:
    """Replaced keys, newest first; their addresses are still watched."""
    return owned_by(creator, WalletKey).filter(is_active=False).order_by("-retired_at", "-pk")


def wallet_keys_with_chain(*, key: WatchKey) -> QuerySet[WalletKey]:
    """Registered keys, of any creator, that derive the same addresses as `key`.

    Deliberately not scoped to one creator: a chain registered twice, by one
    creator or by two, would hand out addresses that were already given out.
    The same extended key with the same script type is the same chain, however
    it was pasted (zpub, or a descriptor with or without key origin).
    """
    extended_key = _EXTENDED_PUBLIC_KEY.search(key.descriptor)
    if extended_key is None:  # Not a form btc produces; be exact then.
        return WalletKey.objects.filter(descriptor=key.descriptor)
    return WalletKey.objects.filter(
        network=key.network,
        script_type=str(key.script_type),
        descriptor__contains=extended_key.group(),
    )


def wallet_key_registered_elsewhere(*, creator: Creator, key: WatchKey) -> bool:
    """Whether another creator already registered this chain (see wallet_keys_with_chain)."""
    return wallet_keys_with_chain(key=key).exclude(creator=creator).exists()


def api_key_authenticate(*, token: str) -> ApiKey | None:
    """The live key whose token this is, whoever's it is: the key names the creator.

    A deactivated account's keys stop working with it.
    """
    return (
        ApiKey.objects.select_related("creator__user")
        .filter(
            secret_hash=ApiKey.hash(token), revoked_at__isnull=True, creator__user__is_active=True
        )
        .first()
    )


def api_keys_of(*, creator: Creator) -> QuerySet[ApiKey]:
    """The creator's API keys, live ones first, newest first."""
    return owned_by(creator, ApiKey).order_by(F("revoked_at").desc(nulls_first=True), "-pk")


def lightning_wallet_of(*, creator: Creator) -> LightningWallet | None:
    """The creator's connected Lightning wallet, if any (one per creator)."""
    return owned_by(creator, LightningWallet).first()
