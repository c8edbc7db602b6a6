"""Template filters for amounts: sats stay integers, BTC is exact Decimal text."""

from __future__ import annotations

from django import template

from btc.money import format_btc

register = template.Library()


@register.filter
def btc(sats: int) -> str:
    """1500 -> '0.000015' (no float, no exponent)."""
    return format_btc(sats)
