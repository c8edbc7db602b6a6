from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal


@dataclass(frozen=True, slots=True)
class RateSnapshot:
    """One bitcoin's price in a fiat currency at a moment, and who said so.

    `rate` is fiat per BTC; `sources` names the providers whose median it is. A tip
    keeps a copy of this, so its fiat value never changes after the fact.
    """

    currency: str
    rate: Decimal
    sources: tuple[str, ...]
    fetched_at: datetime
