from __future__ import annotations

import secrets

from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from creators.models import Creator


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
    target_url = models.URLField(_("link sold"), max_length=2000)
    cover = models.ImageField(_("cover image"), upload_to="unlock-covers/", blank=True)
    sales_limit = models.PositiveIntegerField(_("maximum number of sales"), null=True, blank=True)
    allow_zero_conf = models.BooleanField(
        _("unlock as soon as the payment is seen (before confirmation)"), default=False
    )
    link_ttl_days = models.PositiveSmallIntegerField(
        _("access link valid for (days)"), default=7, validators=[MinValueValidator(1)]
    )
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.title
