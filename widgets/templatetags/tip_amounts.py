"""Template filters for amounts: sats stay integers, BTC is exact Decimal text, fiat is
written for the page's language (web.fiat)."""

from __future__ import annotations

from decimal import Decimal

from django import template

from btc.money import format_btc
from payments.pricing import Pricing
from web.fiat import FiatAmount

register = template.Library()


@register.filter
def btc(sats: int) -> str:
    """1500 -> '0.000015' (no float, no exponent)."""
    return format_btc(sats)


@register.filter
def fiat(sats: int, pricing: Pricing | None) -> FiatAmount | str:
    """What `sats` are worth at `pricing`'s rate, written for the page's language
    ('' without a rate: the page then shows sats only)."""
    value = pricing.fiat(sats) if pricing is not None else None
    return value if value is not None else ""


@register.filter
def money(amount: str | None, currency: str) -> FiatAmount | str:
    """A fiat figure given as a decimal string (a goal's), written for the page's language."""
    return FiatAmount(Decimal(amount), currency) if amount is not None else ""
