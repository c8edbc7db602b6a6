from __future__ import annotations

import secrets
from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator, URLValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from creators.models import Creator
from unlocks.receipts import new_receipt_code

# A link a browser follows after payment: never javascript:, data:, ftp: or file:.
web_url = URLValidator(
    schemes=["http", "https"], message=_("Enter a web address starting with https:// or http://.")
)
MAX_LINK_TTL_DAYS = 365


def new_item_id() -> str:
    return secrets.token_urlsafe(9)


class UnlockItem(models.Model):
    """Access to a link (Drive, Dropbox, any URL) sold for a price in sats.

    `target_url` is the secret: it never reaches a browser before payment.
    """

    creator_lookup = "creator"

    public_id = models.CharField(max_length=16, unique=True, default=new_item_id, editable=False)
    creator = models.ForeignKey(Creator, on_delete=models.PROTECT, related_name="unlock_items")
    title = models.CharField(_("title"), max_length=120)
    description = models.TextField(_("description"), blank=True)
    price_sats = models.PositiveBigIntegerField(
        _("price (sats)"), validators=[MinValueValidator(1)]
    )
    # A price in the creator's display currency: converted when a purchase starts, and held
    # by the purchase for its payment window. price_sats applies while no fresh rate exists.
    price_fiat = models.DecimalField(
        _("price (display currency)"),
        max_digits=14,
        decimal_places=3,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0.001"))],
    )
    target_url = models.URLField(_("link sold"), max_length=2000, validators=[web_url])
    cover = models.ImageField(_("cover image"), upload_to="unlock-covers/", blank=True)
    sales_limit = models.PositiveIntegerField(_("maximum number of sales"), null=True, blank=True)
    allow_zero_conf = models.BooleanField(
        _("unlock as soon as the payment is seen (before confirmation)"), default=False
    )
    link_ttl_days = models.PositiveSmallIntegerField(
        _("access link valid for (days)"),
        default=7,
        validators=[MinValueValidator(1), MaxValueValidator(MAX_LINK_TTL_DAYS)],
    )
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.title


def new_grant_id() -> str:
    return secrets.token_urlsafe(12)


class UnlockGrant(models.Model):
    """A paid purchase's access, made when its payment first reached the price.

    Access links name the grant by `public_id` (random, so they don't reveal how
    many sales an item made). Whether a link works is decided when it is followed:
    the grant must not be revoked and its purchase must still meet the price, so a
    payment replaced or reorganised away closes access, and its return reopens it.

    `receipt_code` is stored as it was given. It opens exactly what the purchase's
    public id (its payment page's URL, stored as-is too) already opens, and the
    sold link itself is in this database; hashing the code would protect nothing,
    but would stop the payment page from showing it to the buyer again.
    """

    creator_lookup = "purchase__creator"

    public_id = models.CharField(max_length=16, unique=True, default=new_grant_id, editable=False)
    purchase = models.OneToOneField(
        "payments.Tip", on_delete=models.PROTECT, related_name="unlock_grant"
    )
    receipt_code = models.CharField(
        max_length=16, unique=True, default=new_receipt_code, editable=False
    )
    created_at = models.DateTimeField(default=timezone.now)
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"access to {self.purchase.unlock_item} ({self.public_id})"

    @property
    def is_revoked(self) -> bool:
        return self.revoked_at is not None
