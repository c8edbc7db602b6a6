"""Tip creation (validation + address allocation + insert) vs a bare insert of the same row."""

from __future__ import annotations

from bench.common import median_seconds, setup_django, table

BATCH = 200


def main() -> str:
    setup_django()
    from django.conf import settings
    from django.db import transaction
    from django.utils import timezone

    from payments.models import Tip
    from payments.services import tip_create
    from tests.factories import CreatorFactory

    settings.BITCACHE_MAX_OPEN_TIPS_PER_CREATOR = 10**9
    settings.BITCACHE_GAP_LIMIT = 10**9
    creator = CreatorFactory(status="active")
    template = tip_create(creator=creator, amount_sats=5000)
    now = timezone.now()

    def bare_inserts():
        for _ in range(BATCH):
            with transaction.atomic():
                Tip.objects.create(
                    creator=creator,
                    address=template.address,
                    amount_sats=5000,
                    minimum_sats=1000,
                    expires_at=now,
                    watch_until=now,
                )

    def tip_creations():
        for _ in range(BATCH):
            tip_create(creator=creator, amount_sats=5000)

    bare = median_seconds(bare_inserts, repeat=5)
    full = median_seconds(tip_creations, repeat=5)
    rows = [
        ["bare `Tip` insert (baseline)", f"{BATCH / bare:,.0f}", "1.00"],
        ["`tip_create` (allocate + derive + insert)", f"{BATCH / full:,.0f}", f"{bare / full:.2f}"],
    ]
    return "### Tip creation vs a bare insert (PostgreSQL, one connection)\n\n" + table(
        ["operation", "per second", "throughput ratio"], rows
    )


if __name__ == "__main__":
    print(main())
