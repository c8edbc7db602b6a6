"""Reads of the widgets app: what the tip page, the widget and the creator's widget pages show."""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.db.models import QuerySet

from creators.models import Creator
from creators.scoping import owned_by
from creators.services import MAX_SUGGESTIONS
from payments.pricing import Pricing, creator_pricing, minimum_tip_sats, suggested_sats
from web.fiat import FiatAmount
from widgets.models import RefusedOrigin, Widget

# Offered when neither the widget nor the creator chose suggested amounts: multiples of the minimum.
DEFAULT_SUGGESTION_FACTORS = (1, 2, 5, 10)


def widget_get_public(public_id: str) -> Widget | None:
    """An active widget by the id its embed code holds; disabled widgets are not found."""
    return (
        Widget.objects.select_related("creator").filter(public_id=public_id, is_active=True).first()
    )


@dataclass(frozen=True)
class TipTerms:
    """The amounts a viewer is offered on a tip form, in sats and, at `pricing`'s rate,
    in the creator's display currency."""

    minimum_sats: int
    maximum_sats: int
    suggested_sats: list[int]
    pricing: Pricing

    @property
    def default_sats(self) -> int:
        return self.suggested_sats[0] if self.suggested_sats else self.minimum_sats

    @property
    def minimum_fiat(self) -> FiatAmount | None:
        """The minimum in fiat, rounded up: what a viewer entering fiat must give at least."""
        return self.pricing.fiat_covering(self.minimum_sats)

    @property
    def suggestions(self) -> list[tuple[int, FiatAmount | None]]:
        return [(sats, self.pricing.fiat(sats)) for sats in self.suggested_sats]


def tip_terms(creator: Creator, widget: Widget | None = None) -> TipTerms:
    pricing = creator_pricing(creator)
    minimum = minimum_tip_sats(creator, widget, pricing=pricing)
    maximum = settings.BITCACHE_MAX_TIP_SATS
    chosen = (widget.suggested_amounts if widget else []) or suggested_sats(creator, pricing)
    if not chosen:
        chosen = [minimum * factor for factor in DEFAULT_SUGGESTION_FACTORS]
    valid = sorted({amount for amount in chosen if minimum <= amount <= maximum})
    return TipTerms(minimum, maximum, valid[:MAX_SUGGESTIONS], pricing)


def widgets_of(creator: Creator) -> QuerySet[Widget]:
    """The creator's widgets, active first, newest first."""
    return owned_by(creator, Widget).order_by("-is_active", "-created_at", "-pk")


def widget_get_owned(creator: Creator, public_id: str) -> Widget | None:
    """One of the creator's own widgets; another creator's widget is simply not found."""
    return owned_by(creator, Widget).filter(public_id=public_id).first()


def refused_origins_of(widget: Widget) -> QuerySet[RefusedOrigin]:
    """Sites that tried to show the widget though not allowed, most recent first."""
    return widget.refused_origins.order_by("-last_seen", "origin")
