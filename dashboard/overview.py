"""What the dashboard's overview shows about tips: totals, chart, breakdowns, recent tips."""

from __future__ import annotations

from typing import Any

from creators.models import Creator, WalletKey
from dashboard.chart import bar_chart
from dashboard.rows import tip_rows
from payments import reports
from payments.onchain.addresses import gap_health

RECENT_TIPS = 10


def chart_days(requested: str | None) -> int:
    """The chart's period: one of CHART_PERIODS, 30 days unless another is asked for."""
    if requested and requested.isdigit() and int(requested) in reports.CHART_PERIODS:
        return int(requested)
    return reports.CHART_PERIODS[0]


def overview_context(
    *, creator: Creator, wallet_key: WalletKey | None, days: int
) -> dict[str, Any]:
    return {
        "overview": reports.tips_overview(creator=creator),
        "chart": bar_chart(reports.tips_per_day(creator=creator, days=days)),
        "chart_days": days,
        "chart_periods": reports.CHART_PERIODS,
        "per_widget": reports.tips_per_widget(creator=creator),
        "per_video": reports.tips_per_video(creator=creator),
        "recent": tip_rows(list(reports.tips_of(creator=creator)[:RECENT_TIPS])),
        "gap_health": gap_health(wallet_key) if wallet_key else None,
    }
