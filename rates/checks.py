"""Is a provider's answer a price we may use? One rule for every provider.

A refused answer is logged with its reason and left out of the median; it is
never used. The reasons: missing, not a number, zero or negative, out of any
plausible range, a provider timestamp older than the staleness limit (or
unreadable), and a jump against the previous median beyond the configured
factor (a decimal point lost in a feed, a market in another currency, a flash
crash on one book).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal, InvalidOperation

from .providers import RawQuote

# Whatever the currency, a bitcoin costs more than a cent of it; and the rate table keeps
# 16 whole digits (a bitcoin in dong is a ten-digit figure).
_PLAUSIBLE_LOW = Decimal("0.01")
_PLAUSIBLE_HIGH = Decimal(10) ** 16


class Refused(Exception):
    """Why a quote was not used; the message is safe to log."""


@dataclass(frozen=True, slots=True)
class Limits:
    max_age: timedelta
    # A new price may be at most this many times the previous median, or that
    # fraction of it (2 allows halving and doubling).
    max_jump: Decimal


def checked_rate(
    quote: RawQuote | None, *, now: datetime, previous: Decimal | None, limits: Limits
) -> Decimal:
    """The quote's rate (fiat per BTC) if it passes every check; Refused otherwise."""
    if quote is None:
        raise Refused("missing from the answer")
    rate = _number(quote.value)
    if rate <= 0:
        raise Refused(f"not a positive price: {rate}")
    if not _PLAUSIBLE_LOW <= rate < _PLAUSIBLE_HIGH:
        raise Refused(f"not a plausible price: {str(rate)[:40]}")
    if quote.timestamp is not None:
        stamped = _moment(quote.timestamp)
        if now - stamped > limits.max_age:
            raise Refused(f"stale: priced at {stamped:%Y-%m-%d %H:%M:%S} UTC")
    if previous is not None and (
        rate > previous * limits.max_jump or rate * limits.max_jump < previous
    ):
        raise Refused(f"absurd jump: {rate} against the previous median {previous}")
    return rate


def _number(value: object) -> Decimal:
    # JSON true/false are ints to Python; a float never comes from our JSON parsing.
    if isinstance(value, bool) or not isinstance(value, str | int | Decimal):
        raise Refused(f"not a number: {str(value)[:40]!r}")
    try:
        number = Decimal(value.strip() if isinstance(value, str) else value)
    except InvalidOperation:
        raise Refused(f"not a number: {str(value)[:40]!r}") from None
    if not number.is_finite():
        raise Refused(f"not a number: {str(value)[:40]!r}")
    return number


def _moment(timestamp: object) -> datetime:
    try:
        seconds = int(timestamp) if isinstance(timestamp, str | int | Decimal) else None
        if seconds is None or isinstance(timestamp, bool):
            raise ValueError
        return datetime.fromtimestamp(seconds, tz=UTC)
    except (ValueError, OverflowError, OSError):
        raise Refused(f"unreadable timestamp: {str(timestamp)[:40]!r}") from None
