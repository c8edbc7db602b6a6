"""Reads of the widgets app: what the tip page, the widget and the creator's widget pages show."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db.models import QuerySet
from django.utils import timezone

from creators.models import Creator, CreatorStatus
from creators.scoping import owned_by
from payments.models import Tip, TipStatus
from payments.selectors import tip_public_status
from payments.services import minimum_tip_sats
from widgets.models import RefusedOrigin, Widget

# Offered when neither the widget nor the creator chose suggested amounts: multiples of the minimum.
DEFAULT_SUGGESTION_FACTORS = (1, 2, 5, 10)
MAX_SUGGESTIONS = 6


def creator_get_by_handle(handle: str) -> Creator | None:
    """The creator whose tip page is /@handle (handles are unique ignoring case)."""
    return Creator.objects.filter(handle__iexact=handle).first()


def widget_get_public(public_id: str) -> Widget | None:
    """An active widget by the id its embed code holds; disabled widgets are not found."""
    return (
        Widget.objects.select_related("creator").filter(public_id=public_id, is_active=True).first()
    )


def creator_takes_tips(creator: Creator) -> bool:
    """Approved and with a confirmed wallet key: a tip made now would get an address."""
    return (
        creator.status == CreatorStatus.ACTIVE
        and creator.wallet_keys.filter(is_active=True, confirmed_at__isnull=False).exists()
    )


@dataclass(frozen=True)
class TipTerms:
    """The amounts a viewer is offered on a tip form."""

    minimum_sats: int
    maximum_sats: int
    suggested_sats: list[int]

    @property
    def default_sats(self) -> int:
        return self.suggested_sats[0] if self.suggested_sats else self.minimum_sats


def tip_terms(creator: Creator, widget: Widget | None = None) -> TipTerms:
    minimum = minimum_tip_sats(creator, widget)
    maximum = settings.BITCACHE_MAX_TIP_SATS
    chosen = (widget.suggested_amounts if widget else []) or creator.suggested_amounts
    if not chosen:
        chosen = [minimum * factor for factor in DEFAULT_SUGGESTION_FACTORS]
    valid = sorted({amount for amount in chosen if minimum <= amount <= maximum})
    return TipTerms(minimum, maximum, valid[:MAX_SUGGESTIONS])


def tip_viewer_status(tip: Tip) -> str:
    """The status a viewer should see now: an unpaid tip past its window is expired
    even before the watcher's next run marks it so."""
    if tip.status == TipStatus.AWAITING_PAYMENT and timezone.now() >= tip.expires_at:
        return TipStatus.EXPIRED
    return tip.status


def tip_viewer_state(tip: Tip) -> dict[str, Any]:
    """The tip's public status as the payment screen polls it."""
    return {**tip_public_status(tip), "status": tip_viewer_status(tip)}


def widgets_of(creator: Creator) -> QuerySet[Widget]:
    """The creator's widgets, active first, newest first."""
    return owned_by(creator, Widget).order_by("-is_active", "-created_at", "-pk")


def widget_get_owned(creator: Creator, public_id: str) -> Widget | None:
    """One of the creator's own widgets; another creator's widget is simply not found."""
    return owned_by(creator, Widget).filter(public_id=public_id).first()


def refused_origins_of(widget: Widget) -> QuerySet[RefusedOrigin]:
    """Sites that tried to show the widget though not allowed, most recent first."""
    return widget.refused_origins.order_by("-last_seen", "origin")
