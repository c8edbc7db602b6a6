"""Esplora mempool watching: requests per open tip per minute, and one watcher run at 1,000
open tips, before (every watched address asked, one at a time, every run) and after (only
the addresses due, a few at once), in the same run against a local Esplora double.

Requests per open tip per minute: a tip's look-ups over its whole life (payment window and
monitoring window, its payment screen open throughout the window) divided by the minutes of
its payment window, which is what each open tip costs on a site where tips keep coming.
"""

from __future__ import annotations

import time
from datetime import timedelta

from bench.common import setup_django, table

OPEN_TIPS = 1000
# The double answers each address after this long, as a real server across a network does.
LATENCY_SECONDS = 0.02
WATCH_INTERVAL = timedelta(seconds=10)


def old_interval(age: timedelta, expiry: timedelta) -> timedelta:
    """The schedule before: every run for 15 minutes, then every minute, then every 10."""
    if age < timedelta(minutes=15):
        return WATCH_INTERVAL
    if age < expiry:
        return timedelta(minutes=1)
    return timedelta(minutes=10)


def lifetime_lookups(interval, life: timedelta) -> int:
    age, count = timedelta(0), 0
    while age < life:
        count += 1
        age += max(interval(age), WATCH_INTERVAL)
    return count


def per_open_tip_minute() -> list[list[object]]:
    from django.conf import settings

    from payments.onchain.watcher import mempool_check_interval

    expiry = timedelta(minutes=settings.BITCACHE_TIP_EXPIRY_MINUTES)
    rows = []
    for hours in (24, 168):
        life = expiry + timedelta(hours=hours)
        before = lifetime_lookups(lambda age: old_interval(age, expiry), life)
        after = lifetime_lookups(
            lambda age: mempool_check_interval(age=age, watched=age < expiry, pending=False), life
        )
        minutes = expiry / timedelta(minutes=1)
        rows.append(
            [
                f"{hours} h",
                f"{before / minutes:.2f}",
                f"{after / minutes:.2f}",
                f"{after / before:.3f}",
                "<= 1 request",
            ]
        )
    return rows


def watcher_runs() -> list[list[object]]:
    from django.db.models import Exists, OuterRef
    from django.utils import timezone

    from chain.esplora import EsploraChain
    from chain.http import RetryPolicy
    from payments.models import Address, Payment, PaymentState, Tip
    from payments.onchain.watcher import ScanReport, scan_mempool
    from tests.chain.blocks import every_kind_block
    from tests.chain.servers import EsploraApp, LocalServer, Reply
    from tests.factories import CreatorFactory

    app = EsploraApp([every_kind_block()])

    def slow(request):
        reply = app(request)
        return Reply(reply.status, reply.body, reply.content_type, delay=LATENCY_SECONDS)

    creator = CreatorFactory(status="active")
    key = creator.wallet_keys.get()
    now = timezone.now()
    addresses = Address.objects.bulk_create(
        Address(
            creator=creator,
            wallet_key=key,
            index=n,
            address=f"bc1qbench{n:032d}",
            reserved_until=now + timedelta(hours=25),
            mempool_check_at=now,
        )
        for n in range(OPEN_TIPS)
    )
    Tip.objects.bulk_create(
        Tip(
            creator=creator,
            address=address,
            amount_sats=5000,
            minimum_sats=1000,
            # Ages spread over the payment window, as on a busy site.
            created_at=now - timedelta(seconds=3.6 * n),
            expires_at=now - timedelta(seconds=3.6 * n) + timedelta(hours=1),
            watch_until=now + timedelta(hours=25),
            watched_at=now,
        )
        for n, address in enumerate(addresses)
    )
    rows = []
    with LocalServer(slow) as server:
        retry = RetryPolicy(attempts=3, base_delay=0.05, max_delay=0.2)

        def before(at) -> None:
            """What a run did: load every watched address into Python, keep those due by
            the old schedule (mempool_polled_at), ask about each in turn."""
            pending = Payment.objects.filter(address=OuterRef("pk"), state=PaymentState.MEMPOOL)
            latest_tip = Tip.objects.filter(address=OuterRef("pk")).order_by("-created_at")
            candidates = (
                Address.objects.filter(reserved_until__gt=at)
                | Address.objects.filter(Exists(pending))
            ).distinct()
            due = [
                address
                for address in candidates.annotate(
                    tip_created_at=latest_tip.values("created_at")[:1],
                    has_pending=Exists(pending),
                )
                if address.mempool_polled_at is None
                or at - address.mempool_polled_at
                >= old_interval(at - address.tip_created_at, timedelta(hours=1)) - WATCH_INTERVAL
            ]
            one_at_a_time = EsploraChain(
                server.url, network="mainnet", retry=retry, mempool_concurrency=1
            )
            one_at_a_time.mempool_transactions([a.address for a in due])
            Address.objects.filter(pk__in=[a.pk for a in due]).update(mempool_polled_at=at)

        concurrent = EsploraChain(server.url, network="mainnet", retry=retry, mempool_concurrency=4)

        def after(at) -> None:
            scan_mempool(concurrent, now=at, report=ScanReport())

        later = now + WATCH_INTERVAL
        for label, run in (
            ("before: first run (every watched address, one at a time)", lambda: before(now)),
            ("before: next run, 10 s later", lambda: before(later)),
            ("after: first run (all due, 4 at once)", lambda: after(now)),
            ("after: next run, 10 s later (only those due)", lambda: after(later)),
        ):
            server.requests.clear()
            start = time.perf_counter()
            run()
            seconds = time.perf_counter() - start
            asked = sum(1 for path in server.paths() if path.startswith("/address/"))
            rows.append([label, f"{seconds:.2f} s", asked])
    baseline = float(rows[0][1].removesuffix(" s"))
    for row in rows:
        row.append(f"{float(row[1].removesuffix(' s')) / baseline:.3f}")
    return rows


def main() -> str:
    setup_django()
    per_minute = per_open_tip_minute()
    runs = watcher_runs()
    return (
        "### Esplora mempool watching: requests per open tip per minute (whole life)\n\n"
        + table(
            ["monitoring window", "before", "after", "ratio after/before", "target"],
            per_minute,
        )
        + f"\n\n### Esplora mempool watcher run at {OPEN_TIPS:,} open tips "
        f"(local Esplora double, {LATENCY_SECONDS * 1000:.0f} ms per answer, PostgreSQL)\n\n"
        + table(["run", "time", "address requests", "ratio vs before"], runs)
    )


if __name__ == "__main__":
    print(main())
