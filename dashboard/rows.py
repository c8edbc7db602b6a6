"""A tip as a dashboard row: the tip, its confirmations and its transactions."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import prefetch_related_objects

from chain.models import ChainState
from payments import reports
from payments.models import Tip
from payments.pricing import TodaysRates, fiat_then
from web.fiat import FiatAmount


@dataclass(frozen=True)
class TipRow:
    tip: Tip
    confirmations: int
    txids: list[str]
    # What the tip was worth at its rate snapshot, and is worth today in the same currency.
    value_then: FiatAmount | None
    value_now: FiatAmount | None


def tip_rows(tips: list[Tip]) -> list[TipRow]:
    """Rows for tips fetched with their payments (payments.reports.tips_of/tip_of)."""
    scanned_height = ChainState.load().height
    prefetch_related_objects(tips, "reversals")  # Tip.taken_back, in one query
    today = TodaysRates()
    return [
        TipRow(
            tip,
            reports.confirmations(tip, scanned_height),
            reports.tip_txids(tip),
            fiat_then(tip.value_sats, tip.rate_snapshot),
            today.value(tip.value_sats, tip.rate_currency),
        )
        for tip in tips
    ]
