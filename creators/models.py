from __future__ import annotations

import hashlib

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _

from web.currencies import CURRENCIES

# Handles share the URL space with the site's own pages (/@handle, but also
# /w/, /api/, ...), so words that name a site page or could pass for staff are refused.
RESERVED_HANDLES = frozenset(
    {
        "about",
        "account",
        "accounts",
        "admin",
        "administrator",
        "api",
        "app",
        "assets",
        "bitcache",
        "blog",
        "dashboard",
        "docs",
        "embed",
        "healthz",
        "help",
        "i18n",
        "login",
        "logout",
        "me",
        "media",
        "moderator",
        "moderation",
        "null",
        "root",
        "settings",
        "signup",
        "static",
        "staff",
        "status",
        "support",
        "system",
        "tip",
        "tips",
        "u",
        "unlock",
        "w",
        "widget",
        "widgets",
        "www",
    }
)

handle_format = RegexValidator(
    r"^[A-Za-z0-9](?:[A-Za-z0-9_-]{1,28})[A-Za-z0-9]$",
    _(
        "3 to 30 characters: letters, digits, '-' and '_', starting and ending with a "
        "letter or digit."
    ),
)


def validate_handle_not_reserved(value: str) -> None:
    if value.lower() in RESERVED_HANDLES:
        raise ValidationError(
            _("“%(handle)s” is reserved. Please pick another handle."),
            params={"handle": value},
            code="reserved",
        )


class CreatorStatus(models.TextChoices):
    PENDING = "pending", _("Pending review")
    ACTIVE = "active", _("Active")
    SUSPENDED = "suspended", _("Suspended")
    REJECTED = "rejected", _("Rejected")


CURRENCY_CHOICES = [(code, f"{code} ({c.name})") for code, c in CURRENCIES.items()]


def default_display_currency() -> str:
    return settings.BITCACHE_DEFAULT_CURRENCY


class Creator(models.Model):
    """A creator's public profile and tip settings; the tenant everything else belongs to."""

    creator_lookup = "pk"

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="creator"
    )
    handle = models.CharField(
        _("handle"),
        max_length=30,
        validators=[handle_format, validate_handle_not_reserved],
        help_text=_("Your tip page will be /@handle."),
    )
    display_name = models.CharField(_("display name"), max_length=80)
    bio = models.TextField(_("bio"), blank=True, validators=[MaxLengthValidator(1000)])
    channel_url = models.URLField(_("channel URL"), blank=True)
    avatar = models.ImageField(_("avatar"), upload_to="avatars/", blank=True)
    status = models.CharField(
        max_length=16, choices=CreatorStatus.choices, default=CreatorStatus.PENDING, db_index=True
    )
    verified = models.BooleanField(default=False)
    verified_at = models.DateTimeField(null=True, blank=True)
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    min_tip_sats = models.PositiveBigIntegerField(
        _("minimum tip (sats)"), default=1000, validators=[MinValueValidator(1)]
    )
    # With a Lightning wallet connected: tips below this are offered over Lightning only (an
    # on-chain payment that small costs the viewer a fee of the same order and leaves the
    # creator dust); from it up, one unified QR offers both rails.
    onchain_min_sats = models.PositiveBigIntegerField(
        _("on-chain minimum (sats)"), default=10_000, validators=[MinValueValidator(1)]
    )
    suggested_amounts = models.JSONField(_("suggested amounts (sats)"), default=list, blank=True)
    # Fiat amounts the creator sees and viewers see beside sats; money itself stays in sats.
    display_currency = models.CharField(
        _("display currency"),
        max_length=3,
        choices=CURRENCY_CHOICES,
        default=default_display_currency,
    )
    # A minimum in the display currency, converted at the rate of the moment a tip is made.
    # min_tip_sats stays the floor, and the minimum whenever no fresh rate exists.
    min_tip_fiat = models.DecimalField(
        _("minimum tip (display currency)"),
        max_digits=14,
        decimal_places=3,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
    )
    # Suggested amounts in the display currency, as decimal strings ("5.00"): offered
    # instead of the sats ones while a fresh rate exists.
    suggested_fiat = models.JSONField(
        _("suggested amounts (display currency)"), default=list, blank=True
    )
    confirmations_required = models.PositiveSmallIntegerField(
        _("confirmations required"), default=1, validators=[MinValueValidator(1)]
    )
    thank_you_message = models.TextField(
        _("thank-you message"), blank=True, validators=[MaxLengthValidator(500)]
    )
    # Messages matching the staff word list wait for review instead of showing publicly.
    hold_flagged_messages = models.BooleanField(_("hold flagged messages for review"), default=True)
    notify_on_confirmed_tip = models.BooleanField(
        _("email me when a tip is confirmed"), default=True
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(Lower("handle"), name="creator_handle_unique_ci"),
        ]

    def __str__(self) -> str:
        return f"@{self.handle}"

    @property
    def accepts_tips(self) -> bool:
        return self.status == CreatorStatus.ACTIVE


class WalletKeyQuerySet(models.QuerySet["WalletKey"]):
    def active(self) -> WalletKeyQuerySet:
        """The key new tips derive their addresses from (one per creator at most): the one
        rule for "the active key", used by allocation, the tip pages and the staff queue."""
        return self.filter(is_active=True, confirmed_at__isnull=False)


class WalletKey(models.Model):
    """A watch-only key of the creator's own wallet, as a canonical output descriptor.

    Never a private key: btc refuses those before anything is stored.
    Replaced keys stay (is_active=False) so their addresses keep being watched.
    """

    creator_lookup = "creator"

    creator = models.ForeignKey(Creator, on_delete=models.PROTECT, related_name="wallet_keys")
    # What the creator pasted (an xpub/ypub/zpub or descriptor: public data only).
    original = models.TextField()
    # Canonical descriptor with its BIP380 checksum, e.g. wpkh([fp/84h/0h/0h]xpub.../0/*)#abcd1234
    descriptor = models.TextField()
    script_type = models.CharField(max_length=16)
    network = models.CharField(max_length=16)
    is_active = models.BooleanField(default=True)
    # The creator compared the first receive addresses with their wallet.
    confirmed_at = models.DateTimeField(null=True, blank=True)
    # Next never-used receive index; allocation locks this row to advance it.
    next_index = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    retired_at = models.DateTimeField(null=True, blank=True)

    objects = WalletKeyQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["creator"],
                condition=models.Q(is_active=True),
                name="one_active_wallet_key_per_creator",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.script_type} key of {self.creator}"

    def watch_key(self):
        """The parsed value object (btc.WatchKey) for derivation."""
        from btc import parse_key

        return parse_key(self.descriptor, network=self.network)


class ApiKey(models.Model):
    """A key the creator's own programs use to call the API as that creator.

    Only a SHA-256 of the token is stored. Tokens are 256 random bits, so a fast
    hash leaves nothing to brute-force, and a copy of the database holds no usable key.
    The creator sees the token once, when the key is made.
    """

    creator_lookup = "creator"

    creator = models.ForeignKey(Creator, on_delete=models.CASCADE, related_name="api_keys")
    name = models.CharField(_("name"), max_length=80)
    # The token's first characters, shown so the creator can tell keys apart.
    prefix = models.CharField(max_length=16)
    secret_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None

    @staticmethod
    def hash(token: str) -> str:
        return hashlib.sha256(token.encode()).hexdigest()


class LightningWalletKind(models.TextChoices):
    NWC = "nwc", _("Nostr Wallet Connect")
    LIGHTNING_ADDRESS = "lightning_address", _("Lightning Address")
    SIMULATED = "simulated", _("Simulated wallet (development)")


class LightningWallet(models.Model):
    """The creator's own Lightning wallet, connected with receive-only rights.

    Bitcache asks it for invoices and whether they were paid, never to pay. What identifies
    the wallet is public (`label`, `public`); the connection secret (an NWC client key) is a
    credential, kept only sealed (web.sealing) and never shown, logged, emailed or served.
    Adapters per kind live in payments.lightning.wallets.
    """

    creator_lookup = "creator"

    creator = models.OneToOneField(
        Creator, on_delete=models.CASCADE, related_name="lightning_wallet"
    )
    kind = models.CharField(max_length=20, choices=LightningWalletKind.choices)
    # What the creator sees on the dashboard: "Alby Hub via wss://relay.getalby.com/v1",
    # "alice@getalby.com". Never the secret.
    label = models.CharField(max_length=200)
    # The kind's public parameters (wallet pubkey, relays, encryption scheme, the payee node
    # key pinned by the connection test, the Lightning Address and its callback...).
    public = models.JSONField(default=dict)
    secret_sealed = models.TextField(blank=True)
    # The last "test connection": a 1-sat invoice made and checked.
    tested_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"{self.get_kind_display()} of {self.creator}"

    def __repr__(self) -> str:
        # The default repr is harmless, but say so: nothing here may print the secret.
        return f"<LightningWallet {self.pk} {self.kind} creator={self.creator_id}>"
