"""The overview's chart of tips per day, drawn on the server as SVG geometry.

No chart library and no script: the page's CSP allows only our own files, and a
few hundred rectangles are cheap to send.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from payments.reports import DayTotal

WIDTH = 720
HEIGHT = 160


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    day: date
    count: int
    sats: int


@dataclass(frozen=True)
class BarChart:
    width: int
    height: int
    bars: list[Bar]
    peak: int  # the tallest bar's tip count
    count: int
    sats: int

    @property
    def first_day(self) -> date:
        return self.bars[0].day

    @property
    def last_day(self) -> date:
        return self.bars[-1].day


def bar_chart(series: list[DayTotal], *, width: int = WIDTH, height: int = HEIGHT) -> BarChart:
    """One bar per day, as tall as its number of confirmed tips relative to the busiest day."""
    peak = max((day.count for day in series), default=0)
    slot = width / len(series)
    gap = slot * 0.2 if slot >= 4 else 0
    bars = []
    for position, day in enumerate(series):
        # A day with a tip stays visible next to a much busier one.
        bar_height = max(day.count / peak * height, 2) if day.count else 0
        bars.append(
            Bar(
                x=round(position * slot + gap / 2, 2),
                y=round(height - bar_height, 2),
                width=round(slot - gap, 2),
                height=round(bar_height, 2),
                day=day.day,
                count=day.count,
                sats=day.sats,
            )
        )
    return BarChart(
        width=width,
        height=height,
        bars=bars,
        peak=peak,
        count=sum(day.count for day in series),
        sats=sum(day.sats for day in series),
    )
