"""Writes of paid unlocks: creators' items, purchases, and the grants payments earn.

Item rules are checked here, so the dashboard and the API agree; refusals are
ValidationErrors keyed by field. A purchase is a tip of the item's price
(payments.services.tip_create): same address allocation, limits and watcher.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from django.conf import settings
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.core.files import File
from django.db import transaction
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from creators.models import Creator
from payments.lightning.metadata import creator_metadata
from payments.lightning.services import lightning_invoice_attach
from payments.models import Tip
from payments.services import TipRefused, tip_create
from unlocks.models import UnlockGrant, UnlockItem, web_url
from unlocks.selectors import purchase_grant, purchase_meets_price, slots_taken
from unlocks.signals import unlock_paid

PRICE_TOO_HIGH = _("At most %(max)s sats.")
# Characters a URI may not hold (RFC 3986) that Django's URL check lets through in a
# path; the API states the link sold as `format: uri`.
NOT_IN_URIS = frozenset('"<>\\^`{|}')


def _item_save(
    item: UnlockItem,
    *,
    title: str,
    description: str,
    price_sats: int,
    target_url: str,
    cover: File | None,
    sales_limit: int | None,
    allow_zero_conf: bool,
    link_ttl_days: int,
    price_fiat: Decimal | None = None,
) -> UnlockItem:
    maximum = settings.BITCACHE_MAX_TIP_SATS
    if price_sats > maximum:
        raise ValidationError(
            {
                "price_sats": ValidationError(
                    PRICE_TOO_HIGH, params={"max": number_format(maximum, force_grouping=True)}
                )
            }
        )
    if NOT_IN_URIS.intersection(target_url):
        raise ValidationError({"target_url": ValidationError(web_url.message, code="invalid")})
    item.title = title.strip()
    item.description = description.strip()
    item.price_sats = price_sats
    item.price_fiat = price_fiat
    item.target_url = target_url.strip()
    item.cover = cover or ""
    item.sales_limit = sales_limit
    item.allow_zero_conf = allow_zero_conf
    item.link_ttl_days = link_ttl_days
    item.full_clean()
    item.save()
    return item


def item_create(
    *,
    creator: Creator,
    title: str,
    price_sats: int,
    target_url: str,
    description: str = "",
    cover: File | None = None,
    sales_limit: int | None = None,
    allow_zero_conf: bool = False,
    link_ttl_days: int = 7,
    price_fiat: Decimal | None = None,
) -> UnlockItem:
    return _item_save(
        UnlockItem(creator=creator),
        title=title,
        description=description,
        price_sats=price_sats,
        target_url=target_url,
        cover=cover,
        sales_limit=sales_limit,
        allow_zero_conf=allow_zero_conf,
        link_ttl_days=link_ttl_days,
        price_fiat=price_fiat,
    )


def item_update(
    *,
    item: UnlockItem,
    title: str,
    description: str,
    price_sats: int,
    target_url: str,
    cover: File | None,
    sales_limit: int | None,
    allow_zero_conf: bool,
    link_ttl_days: int,
    price_fiat: Decimal | None = None,
) -> UnlockItem:
    """Change an item; `cover=None` removes the picture.

    Purchases already made keep the price they were made at.
    """
    return _item_save(
        item,
        title=title,
        description=description,
        price_sats=price_sats,
        target_url=target_url,
        cover=cover,
        sales_limit=sales_limit,
        allow_zero_conf=allow_zero_conf,
        link_ttl_days=link_ttl_days,
        price_fiat=price_fiat,
    )


def item_set_active(*, item: UnlockItem, active: bool) -> UnlockItem:
    """Take an item off sale (its pages then 404) or back on. Buyers keep their access."""
    item.is_active = active
    item.save(update_fields=["is_active"])
    return item


def purchase_create(*, item: UnlockItem, client: str = "", now: datetime | None = None) -> Tip:
    """Open a purchase of `item`: a tip of its price on a fresh address, for `client`
    (payments.throttle.client_fingerprint).

    With a sales limit, the item's row is locked while its taken slots are counted,
    so concurrent buyers cannot open more purchases than there are sales left.
    """
    now = now or timezone.now()
    purchase = _purchase_open(item=item, client=client, now=now)
    # Over Lightning too (one unified QR) when the creator has a wallet: asked after the
    # item's lock is released, as the wallet may take seconds; on-chain only if it fails.
    lightning_invoice_attach(tip=purchase, description=creator_metadata(purchase.creator), now=now)
    return purchase


def _purchase_open(*, item: UnlockItem, client: str, now: datetime) -> Tip:
    with transaction.atomic():
        locked = UnlockItem.objects.select_for_update().filter(pk=item.pk).first()
        if locked is None or not locked.is_active:
            raise TipRefused("not_on_sale", gettext("This item is not on sale any more."))
        if locked.sales_limit is not None and slots_taken(locked, now=now) >= locked.sales_limit:
            raise TipRefused(
                "sold_out",
                gettext(
                    "Sold out for now. Unpaid purchases free their place when they expire: "
                    "try again a little later."
                ),
            )
        return tip_create(
            creator=locked.creator,
            # The price of this moment (its fiat price converted, if it has one).
            unlock_item=locked,
            client=client,
            now=now,
        )


def grant_ensure(*, purchase: Tip) -> UnlockGrant | None:
    """Give a purchase its access when its payment first meets the price. Idempotent.

    Called as payments are credited (unlocks.receivers), in the same transaction, so
    the buyer's page never sees a paid purchase without its access link.
    """
    if purchase.unlock_item_id is None:
        return None
    grant = purchase_grant(purchase)
    if grant is None and purchase_meets_price(purchase):
        grant = UnlockGrant.objects.create(purchase=purchase)
        # In this transaction: what listeners write (the unlock.paid deliveries) commits
        # with the grant, or neither does.
        unlock_paid.send(sender=UnlockGrant, grant=grant)
    return grant


def grant_revoke(*, grant: UnlockGrant, by: User) -> UnlockGrant:
    """Close a purchase's access for good: its links and receipt code stop working."""
    if grant.revoked_at is None:
        grant.revoked_at = timezone.now()
        grant.revoked_by = by
        grant.save(update_fields=["revoked_at", "revoked_by"])
    return grant
