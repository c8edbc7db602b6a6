"""The goal's cost (issue 11): one read of the goal figures (overlay, tip page, widgets)
for a creator with a long history, sats only (the old query) and with fiat counted at
each tip's own rate.

`python -m bench.bench_goal [tips]` (default 100,000; nine in ten confirmed, half of them
made at a EUR rate and half without one). Seeds like bench_big_creator; BENCH_DATABASE_URL
as the other benches.
"""

from __future__ import annotations

import statistics
import sys
import time
from collections.abc import Callable
from decimal import Decimal

from bench.common import setup_django


def median_ms(read: Callable[[], object], rounds: int = 15) -> float:
    read()  # warm
    times = []
    for _ in range(rounds):
        started = time.perf_counter()
        read()
        times.append(time.perf_counter() - started)
    return statistics.median(times) * 1000


def main() -> str:
    tips = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
    setup_django()
    from django.db import connection
    from django.db.models import Sum
    from django.utils import timezone

    from bench.bench_big_creator import seed
    from overlays.selectors import goal_state
    from overlays.services import overlay_settings_ensure, overlay_settings_update
    from payments.models import Tip
    from rates.tasks import rates_refresh
    from tests.factories import CreatorFactory

    creator = CreatorFactory(status="active", handle="big", display_currency="EUR")
    seed(creator, tips)
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE payments_tip SET rate_currency = 'EUR', rate = 90000"
            " WHERE creator_id = %s AND id %% 2 = 0",
            [creator.pk],
        )
        cursor.execute("VACUUM ANALYZE")
    rates_refresh()
    overlay = overlay_settings_ensure(creator=creator)
    now = timezone.now()
    confirmed = Tip.objects.filter(creator_id=creator.pk, confirmed_sats__gt=0, status="confirmed")

    def state() -> object:
        return goal_state(overlay, now=now)

    rows = [
        (
            "sats only (the query before)",
            median_ms(lambda: confirmed.aggregate(Sum("confirmed_sats"))),
        )
    ]
    overlay_settings_update(overlay=overlay, goal_period="session")
    rows.append(("goal_state, sats target, whole history", median_ms(state)))
    overlay_settings_update(overlay=overlay, goal_target_fiat=Decimal(5000), goal_currency="EUR")
    rows.append(("goal_state, fiat target, whole history", median_ms(state)))
    overlay_settings_update(overlay=overlay, goal_period="month")
    rows.append(("goal_state, fiat target, this month", median_ms(state)))
    lines = [f"{tips:,} tips, one read of the goal (median of 15, ms):"]
    lines += [f"  {label}: {ms:.1f}" for label, ms in rows]
    return "\n".join(lines)


if __name__ == "__main__":
    print(main())
