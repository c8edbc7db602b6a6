"""Money is integer satoshis; BTC only appears when shown, formatted with Decimal."""

from __future__ import annotations

from decimal import Decimal

SATS_PER_BTC = 100_000_000


def sats_to_btc(sats: int) -> Decimal:
    """Exact BTC value of `sats`, e.g. 1500 -> Decimal('0.000015')."""
    if not isinstance(sats, int) or isinstance(sats, bool):
        raise TypeError("amounts are integer satoshis")
    return (Decimal(sats) / SATS_PER_BTC).normalize() if sats else Decimal(0)


def format_btc(sats: int) -> str:
    """BTC as plain decimal text with no exponent and no trailing zeros: '0.000015'."""
    return format(sats_to_btc(sats), "f")
