"""Reads of the widgets app: what the tip page, the widget and the creator's widget pages show."""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.db.models import QuerySet

from creators.models import Creator
from creators.scoping import owned_by
from creators.services import MAX_SUGGESTIONS
from payments.services import minimum_tip_sats
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


def widgets_of(creator: Creator) -> QuerySet[Widget]:
    """The creator's widgets, active first, newest first."""
    return owned_by(creator, Widget).order_by("-is_active", "-created_at", "-pk")


def widget_get_owned(creator: Creator, public_id: str) -> Widget | None:
    """One of the creator's own widgets; another creator's widget is simply not found."""
    return owned_by(creator, Widget).filter(public_id=public_id).first()


def refused_origins_of(widget: Widget) -> QuerySet[RefusedOrigin]:
    """Sites that tried to show the widget though not allowed, most recent first."""
    return widget.refused_origins.order_by("-last_seen", "origin")
