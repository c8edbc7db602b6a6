"""Converting between integer satoshis and fiat amounts at a rate snapshot, in Decimal only.

Rounding, once for every caller:
- sats -> fiat: rounded to the currency's minor unit (cents, whole yen, fils),
  ROUND_HALF_UP, as a receipt would show it (1.005 EUR shows as 1.01).
- fiat -> sats: rounded to a whole satoshi, ROUND_HALF_UP as well. While a
  satoshi is worth less than half a minor unit (below 500 000 EUR per BTC; every
  currency we know is far from it), the sats convert back to the same fiat figure.
A float never enters: rates and amounts are Decimals, sats are ints.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from web.currencies import currency

from .snapshot import RateSnapshot

SATS_PER_BTC = 100_000_000


def sats_to_fiat(sats: int, snapshot: RateSnapshot) -> Decimal:
    """The fiat value of `sats` at the snapshot's rate, rounded to the currency's minor unit."""
    if isinstance(sats, bool) or not isinstance(sats, int):
        raise TypeError("sats must be a whole number")
    exact = Decimal(sats) * snapshot.rate / SATS_PER_BTC
    return exact.quantize(minor_unit(snapshot.currency), rounding=ROUND_HALF_UP)


def fiat_to_sats(amount: Decimal, snapshot: RateSnapshot) -> int:
    """How many whole satoshis `amount` of the snapshot's currency buys at its rate."""
    if not isinstance(amount, Decimal):
        raise TypeError("a fiat amount must be a Decimal")
    if not amount.is_finite():
        raise ValueError("a fiat amount must be a finite number")
    exact = amount * SATS_PER_BTC / snapshot.rate
    return int(exact.quantize(Decimal(1), rounding=ROUND_HALF_UP))


def minor_unit(code: str) -> Decimal:
    """The smallest amount of the currency: Decimal('0.01') for EUR, Decimal('1') for JPY."""
    return Decimal(1).scaleb(-currency(code).minor_units)
