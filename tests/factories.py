"""factory_boy factories shared by the whole suite.

CreatorFactory()                   # active creator with a confirmed wallet key
CreatorFactory(wallet_key=None)    # ... without a key (onboarding, key pages)
UserFactory(is_staff=True)         # a moderator; email verified, PASSWORD set
"""

from __future__ import annotations

import factory
from allauth.account.models import EmailAddress
from django.contrib.auth.models import User
from django.utils import timezone

from btc import parse_key
from creators.models import Creator, CreatorStatus, WalletKey
from tests.btc.vectors import KEYS, ZPUB
from tests.keygen import random_wpkh_descriptor

PASSWORD = "correct-horse-battery-staple"
# The BIP84 test vector account key (mnemonic "abandon ... about", m/84h/0h/0h),
# whose first receive addresses are published.
BIP84_ZPUB = ZPUB
BIP84_FIRST_ADDRESSES = KEYS[0]["receive"]


def unused_wallet_key_text() -> str:
    """The BIP84 vector key for the first wallet key in a test, a fresh random one after.

    Tests can then compare a creator's addresses with the published vectors, and a
    second creator never shares the first one's addresses (a key registered twice
    would derive the same addresses, which the address table refuses).
    """
    if WalletKey.objects.filter(original=BIP84_ZPUB).exists():
        return random_wpkh_descriptor()
    return BIP84_ZPUB


class UserFactory(factory.django.DjangoModelFactory[User]):
    class Meta:
        model = "auth.User"
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda user: f"{user.username}@example.com")
    password = factory.django.Password(PASSWORD)

    @factory.post_generation
    def verified_email(user, create: bool, extracted: bool | None, **kwargs) -> None:
        """allauth lets only verified addresses sign in; pass verified_email=False to differ."""
        if create and user.email:
            EmailAddress.objects.create(
                user=user, email=user.email, primary=True, verified=extracted is not False
            )


class CreatorFactory(factory.django.DjangoModelFactory[Creator]):
    class Meta:
        model = Creator
        skip_postgeneration_save = True

    user = factory.SubFactory(UserFactory)
    handle = factory.Sequence(lambda n: f"creator{n}")
    display_name = factory.Faker("name")
    status = CreatorStatus.ACTIVE
    wallet_key = factory.RelatedFactory(
        "tests.factories.WalletKeyFactory", factory_related_name="creator"
    )


class WalletKeyFactory(factory.django.DjangoModelFactory[WalletKey]):
    """A confirmed, active key; descriptor and type come from the real parser."""

    class Meta:
        model = WalletKey

    class Params:
        watch_key = factory.LazyAttribute(lambda key: parse_key(key.original, network="mainnet"))

    creator = factory.SubFactory(CreatorFactory, wallet_key=None)
    original = factory.LazyFunction(unused_wallet_key_text)
    descriptor = factory.LazyAttribute(lambda key: key.watch_key.descriptor)
    script_type = factory.LazyAttribute(lambda key: str(key.watch_key.script_type))
    network = factory.LazyAttribute(lambda key: key.watch_key.network)
    confirmed_at = factory.LazyFunction(timezone.now)
    is_active = True


def address_of(tip) -> str:
    """An on-chain tip's address (a Lightning tip has none)."""
    assert tip.address is not None, "a Lightning tip has no address"
    return str(tip.address.address)
