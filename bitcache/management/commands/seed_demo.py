"""`manage.py seed_demo`: a demo creator, ready to be tipped on the simulated chain.

Creates, or finds as it left them: a user with a verified email, an approved creator,
the BIP84 test key ("abandon ... about", whose addresses are published) registered
and confirmed, the simulated Lightning wallet (when BITCACHE_LIGHTNING_SIMULATED is on),
and a widget. Prints how to sign in, the tip page, the widget's embed
code and how to pay a tip offline. Running it again changes nothing and says so.

The test key's private key is public: a demo creator on a real chain would receive
real money anyone can take, so it refuses any chain source but the simulated one
unless --force.
"""

from __future__ import annotations

import secrets
from argparse import ArgumentParser
from typing import Any

from allauth.account.models import EmailAddress
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.urls import reverse

from btc import KeyRefused, parse_key
from creators.models import (
    Creator,
    CreatorStatus,
    LightningWallet,
    LightningWalletKind,
    WalletKey,
)
from creators.scoping import owned_by
from creators.services import creator_create, wallet_key_register
from payments.lightning.metadata import address_identifier
from payments.lightning.simulated import SimulatedWallet
from widgets.embed import embed_snippet
from widgets.models import Widget
from widgets.services import widget_create

# The BIP84 test vector account key (mnemonic "abandon ... about", m/84h/0h/0h).
DEMO_KEY = (
    "zpub6rFR7y4Q2AijBEqTUquhVz398htDFrtymD9xYYfG1m4wAcvPhXNfE3EfH1r1ADqtfSdVCToUG868RvUUkgDKf"
    "31mGDtKsAYz2oz2AGutZYs"
)
DEMO_WIDGET_LABEL = "Demo widget"


class Command(BaseCommand):
    help = (
        "Create a demo creator (verified user, approved profile, the BIP84 test key, a "
        "widget) to try tips on the simulated chain. Idempotent."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--handle", default="demo", help="the creator's handle (demo)")
        parser.add_argument(
            "--email", default="demo@example.com", help="the sign-in email (demo@example.com)"
        )
        parser.add_argument(
            "--password",
            help="the sign-in password (default: a generated one, printed once); given "
            "again later, it resets the demo user's password",
        )
        parser.add_argument(
            "--force",
            action="store_true",
            help="run even when the chain source is not the simulated one (the test key's "
            "private key is public: anything paid to it on a real chain can be taken)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if settings.BITCACHE_CHAIN_SOURCE != "simulated" and not options["force"]:
            raise CommandError(
                f"BITCACHE_CHAIN_SOURCE is {settings.BITCACHE_CHAIN_SOURCE!r}: a demo creator "
                "there would be paid real bitcoin to a test key whose private key is public. "
                "seed_demo is for the simulated chain; pass --force if you really mean it."
            )
        try:
            key = parse_key(DEMO_KEY, network=settings.BITCACHE_NETWORK)
        except KeyRefused:
            raise CommandError(
                f"The demo key is a mainnet key; BITCACHE_NETWORK is {settings.BITCACHE_NETWORK!r}."
            ) from None
        done: list[str] = []
        with transaction.atomic():
            user, password = self._user(
                options["email"], options["password"], options["handle"], done
            )
            creator = self._creator(user, options["handle"], done)
            if not owned_active_key(creator, key.descriptor):
                try:
                    wallet_key_register(creator=creator, key=key, original=DEMO_KEY)
                except ValidationError as error:
                    raise CommandError(" ".join(error.messages)) from None
                done.append("registered and confirmed the BIP84 test key")
            if (
                settings.BITCACHE_LIGHTNING_SIMULATED
                and not owned_by(creator, LightningWallet).exists()
            ):
                connected = SimulatedWallet.connect("")
                LightningWallet.objects.create(
                    creator=creator,
                    kind=LightningWalletKind.SIMULATED,
                    label=connected.label,
                    public=connected.public,
                )
                done.append("connected the simulated Lightning wallet")
            widget = owned_by(creator, Widget).filter(label=DEMO_WIDGET_LABEL).first()
            if widget is None:
                widget = widget_create(
                    creator=creator, label=DEMO_WIDGET_LABEL, min_tip_sats=creator.min_tip_sats
                )
                done.append("created a widget")
        self._report(creator, widget, password, done)

    def _user(self, email: str, password: str | None, handle: str, done: list[str]):
        users = get_user_model().objects
        user = users.filter(email__iexact=email).first()
        if user is None:
            if users.filter(username=handle).exists():
                raise CommandError(f"A user named {handle!r} exists with another email.")
            password = password or secrets.token_urlsafe(12)
            user = users.create_user(username=handle, email=email, password=password)
            done.append(f"created the user {email}")
        elif password and not user.check_password(password):
            user.set_password(password)
            user.save(update_fields=["password"])
            done.append("set the password")
        else:
            password = None  # unchanged: not known here
        address = EmailAddress.objects.filter(user=user, email__iexact=email).first()
        if address is None:
            EmailAddress.objects.create(user=user, email=email, primary=True, verified=True)
            done.append("verified the email")
        elif not address.verified:
            address.verified = True
            address.save(update_fields=["verified"])
            done.append("verified the email")
        return user, password

    def _creator(self, user, handle: str, done: list[str]) -> Creator:
        creator = Creator.objects.filter(user=user).first()
        if creator is None:
            try:
                creator = creator_create(user=user, handle=handle, display_name="Demo Creator")
            except ValidationError as error:
                raise CommandError(" ".join(error.messages)) from None
            done.append(f"created the creator @{creator.handle}")
        if creator.status != CreatorStatus.ACTIVE:
            # No moderator here: the operator running this command is the approval.
            Creator.objects.filter(pk=creator.pk).update(status=CreatorStatus.ACTIVE)
            creator.status = CreatorStatus.ACTIVE
            done.append("approved the creator")
        return creator

    def _report(self, creator: Creator, widget: Widget, password: str | None, done: list[str]):
        out = self.stdout
        if done:
            out.write("Demo set up: " + "; ".join(done) + ".")
        else:
            out.write("The demo creator is already set up: nothing changed.")
        out.write(f"Handle: @{creator.handle}")
        out.write(
            f"Sign in at {settings.SITE_URL}{reverse('account_login')} as {creator.user.email}"
        )
        if password:
            out.write(f"Password: {password}")
        else:
            out.write("Password: unchanged (set a new one with --password)")
        out.write(
            f"Tip page: {settings.SITE_URL}{reverse('widgets:creator', args=[creator.handle])}"
        )
        out.write("Widget embed code:")
        out.write(embed_snippet(settings.SITE_URL, widget))
        if owned_by(creator, LightningWallet).exists():
            out.write(f"Lightning Address: {address_identifier(creator)}")
            lnurlp = reverse("widgets:lnurlp", args=[creator.handle])
            out.write(f"LNURL-pay: curl {settings.SITE_URL}{lnurlp}")
            out.write(
                f"A Lightning tip: curl '{settings.SITE_URL}{lnurlp}/callback?amount="
                f"{creator.min_tip_sats * 1000}', "
                "then pay the invoice it returns (pr): python manage.py simulate_payment <pr>"
            )
        out.write(
            "To pay a tip offline: open the tip page, send a tip, copy its id from the payment "
            "page's URL (/t/<id>/), then run\n"
            "  python manage.py simulate_payment <id> --confirm\n"
            "The watcher sees it within "
            f"{settings.BITCACHE_WATCH_INTERVAL_SECONDS} s (or run: python manage.py watch_chain)."
        )


def owned_active_key(creator: Creator, descriptor: str) -> bool:
    return (
        owned_by(creator, WalletKey)
        .filter(descriptor=descriptor, is_active=True, confirmed_at__isnull=False)
        .exists()
    )
