"""What a tip costs in sats and what it is worth in fiat, at one rate.

Money stays in sats; fiat is how people think of it. A creator may set the minimum and
the suggested amounts in their display currency: those convert to sats at the rate of
the moment (rates.selectors.rate_now), and a tip keeps that rate (Tip.rate_snapshot) so
its fiat value never changes after the fact. With no fresh rate every amount falls back
to sats (the creator's sats minimum and suggestions) and pages say the fiat price is
unavailable: a page never shows a price it cannot stand behind.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import ROUND_CEILING, Decimal, InvalidOperation
from typing import Any, Protocol

from creators.models import Creator
from rates.money import fiat_to_sats, minor_unit, sats_to_fiat
from rates.selectors import rate_now
from rates.snapshot import RateSnapshot
from web.currencies import CURRENCIES
from web.fiat import FiatAmount


class HasMinimum(Protocol):
    """A widget, as far as prices go: its own minimum, in sats."""

    min_tip_sats: int


@dataclass(frozen=True, slots=True)
class Pricing:
    """Amounts in a currency at one rate; `rate` None: no fresh rate, sats only."""

    currency: str
    rate: RateSnapshot | None

    @property
    def available(self) -> bool:
        return self.rate is not None

    @property
    def digits(self) -> int:
        """Places after the point in an amount of the currency (2 for EUR, 0 for JPY)."""
        return CURRENCIES[self.currency].minor_units

    def fiat(self, sats: int) -> FiatAmount | None:
        """What `sats` are worth, to the currency's minor unit (None without a rate)."""
        if self.rate is None:
            return None
        return FiatAmount(sats_to_fiat(sats, self.rate), self.currency)

    def fiat_covering(self, sats: int) -> FiatAmount | None:
        """The smallest fiat amount that buys at least `sats`: rounded up, so "at least
        2,01 €" is never an amount the minimum then refuses."""
        if self.rate is None:
            return None
        exact = Decimal(sats) * self.rate.rate / 100_000_000
        amount = exact.quantize(minor_unit(self.currency), rounding=ROUND_CEILING)
        return FiatAmount(amount, self.currency)

    def sats(self, amount: Decimal) -> int | None:
        """How many sats `amount` of the currency buys (None without a rate)."""
        if self.rate is None:
            return None
        return fiat_to_sats(amount, self.rate)


def pricing_now(currency: str, *, now: datetime | None = None) -> Pricing:
    return Pricing(currency.upper(), rate_now(currency, now=now))


def creator_pricing(creator: Creator, *, now: datetime | None = None) -> Pricing:
    """Amounts in the creator's display currency at the current rate."""
    return pricing_now(creator.display_currency, now=now)


def minimum_tip_sats(
    creator: Creator, widget: HasMinimum | None = None, *, pricing: Pricing | None = None
) -> int:
    """The smallest tip accepted, in sats: the creator's sats minimum, or their fiat minimum
    converted at `pricing`'s rate when higher, or the widget's minimum when higher still.
    Without a rate (or `pricing`) the fiat minimum does not apply: the sats one does."""
    minimum = creator.min_tip_sats
    if creator.min_tip_fiat is not None and pricing is not None:
        converted = pricing.sats(creator.min_tip_fiat)
        if converted is not None and pricing.currency == creator.display_currency:
            minimum = max(minimum, converted)
    if widget is not None:
        minimum = max(minimum, widget.min_tip_sats)
    return minimum


class PricedItem(Protocol):
    """Something sold (a paid unlock), as far as prices go."""

    price_sats: int
    price_fiat: Decimal | None


def item_price_sats(item: PricedItem, pricing: Pricing) -> int:
    """An item's price in sats now: its fiat price converted while a rate exists, else its
    sats price. A purchase keeps the figure for its payment window (Tip.amount_sats)."""
    if item.price_fiat is not None:
        converted = pricing.sats(item.price_fiat)
        if converted is not None:
            return max(converted, 1)
    return item.price_sats


def suggested_sats(creator: Creator, pricing: Pricing) -> list[int]:
    """The creator's suggested amounts in sats: their fiat suggestions converted while a
    rate exists, else their sats ones."""
    if creator.suggested_fiat and pricing.rate is not None:
        return [fiat_to_sats(Decimal(amount), pricing.rate) for amount in creator.suggested_fiat]
    return list(creator.suggested_amounts)


def parse_fiat(text: object, currency: str) -> Decimal | None:
    """A fiat amount typed or posted ("5", "5.00", "5,00"), within the currency's digits;
    None when it is not one."""
    if isinstance(text, bool) or not isinstance(text, str | int | Decimal):
        return None
    if currency.upper() not in CURRENCIES:
        return None
    try:
        amount = Decimal(str(text).strip().replace(",", ".").replace(" ", ""))
        if not amount.is_finite() or amount <= 0:
            return None
        return amount if amount == amount.quantize(minor_unit(currency)) else None
    except InvalidOperation:  # not a number, or too long to quantize
        return None


def fiat_then(sats: int, snapshot: RateSnapshot | None) -> FiatAmount | None:
    """What `sats` were worth at a tip's rate snapshot (None for a tip made without one)."""
    return Pricing(snapshot.currency, snapshot).fiat(sats) if snapshot else None


class TodaysRates:
    """The current rate of each currency a list of tips needs, each read once."""

    def __init__(self, now: datetime | None = None) -> None:
        self.now = now
        self._seen: dict[str, Pricing] = {}

    def pricing(self, currency: str) -> Pricing:
        if currency not in self._seen:
            self._seen[currency] = pricing_now(currency, now=self.now)
        return self._seen[currency]

    def value(self, sats: int, currency: str) -> FiatAmount | None:
        """What `sats` are worth today in `currency` (None without a fresh rate)."""
        return self.pricing(currency).fiat(sats) if currency else None


def snapshot_as_dict(snapshot: RateSnapshot | None) -> dict[str, Any] | None:
    """A rate snapshot for programs (the API, webhooks): exact figures as strings."""
    if snapshot is None:
        return None
    return {
        "currency": snapshot.currency,
        "rate": str(snapshot.rate),
        "sources": list(snapshot.sources),
        "at": snapshot.fetched_at.isoformat(),
    }
