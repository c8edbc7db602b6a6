"""A big creator (issue 13): is the cost of their pages and tip creation flat in history?

Seeds, with set-based INSERT ... SELECT generate_series on the server (no row goes
through Python), a creator with BIG tips (default 1,000,000; `python -m
bench.bench_big_creator 100000` or BENCH_BIG_TIPS=100000 for a smaller run), one with
SMALL (10,000) and a fresh one. Nine tips in ten are confirmed (an address used, a
payment in a block), one in ten expired unpaid. Then, in one process and interleaved
rounds, it reports:

- `tip_create` for the big creator / for the fresh one (target <= 1.5);
- the dashboard overview (rollups), the tip list (first and deepest page), the messages
  list (first and deepest page) and the creator API list (first and deepest page),
  big / small (target <= 2), and the first overview after a new block (the scanned chain
  moves: whatever is kept per block is read afresh; gap health is read from the runs
  payments.onchain.gaps keeps), big / small (target <= 2);
- status.json / a bare view through the same middleware, behind gunicorn and loaded
  with wrk as bench_pages does (target >= 0.5);

and EXPLAIN ANALYZE of the main queries, before (the old query, or the new one with the
new index dropped inside a rolled-back transaction) and after.
"""

from __future__ import annotations

import base64
import os
import shutil
import statistics
import sys
import time
from collections.abc import Callable
from urllib.parse import urlencode

from django.http import HttpRequest, HttpResponse
from django.urls import include, path

from bench.common import median_seconds, setup_django, table

SMALL = 10_000
# Both creators get a tip every SPACING seconds (same activity, the big one has a longer
# history): 10k tips span ~35 days, 100k ~1 year, 1M ~9.5 years. The overview's
# today / month / chart windows then hold the same tips for both.
SPACING = 300
ROUNDS = 5
TIP_BATCH = 20
PAGE_REPEAT = 5
STATUS_REPEAT = 200

urlpatterns: list = []


def ok(request: HttpRequest) -> HttpResponse:
    return HttpResponse("OK")


def big_size() -> int:
    if len(sys.argv) > 1:
        return int(sys.argv[1])
    return int(os.environ.get("BENCH_BIG_TIPS", "1000000"))


def seed(creator, tips: int) -> float:
    """`tips` tips of `creator` (one address each, newest at the highest index); seconds."""
    from django.db import connection

    key = creator.wallet_keys.get(is_active=True)
    start = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute(
            """
            INSERT INTO payments_address
                (creator_id, wallet_key_id, index, change, address, used, reserved_until,
                 created_at)
            SELECT %(creator)s, %(key)s, i, false, 'bench-' || %(key)s || '-' || i,
                   i %% 10 <> 0, now() - interval '1 day', now()
            FROM generate_series(0, %(n)s - 1) AS i
            """,
            {"creator": creator.pk, "key": key.pk, "n": tips},
        )
        cursor.execute(
            """
            INSERT INTO payments_tip
                (public_id, creator_id, address_id, video_id, amount_sats, minimum_sats, name,
                 message, message_hidden, message_flagged, status, announced_status,
                 received_sats, confirmed_sats, paid_late, below_minimum, overpaid,
                 confirmations_required, created_at, expires_at, watch_until, first_seen_at,
                 confirmed_at, updated_at, client_fingerprint, rail, name_public,
                 rate_currency, rate_sources)
            SELECT 'bench' || a.id, a.creator_id, a.id, 'vid-' || (a.index %% 40), 5000, 1000,
                   'viewer ' || a.index,
                   'thanks for the video', false, false, s.status, s.status,
                   s.sats, s.sats, false, false, false,
                   1, t.at, t.at + interval '1 hour', t.at + interval '2 hours',
                   CASE WHEN a.used THEN t.at END, CASE WHEN a.used THEN t.at END, t.at, '',
                   'onchain', false, '', '[]'::jsonb
            FROM payments_address a
            CROSS JOIN LATERAL (
                SELECT now() - interval '1 day'
                       - (%(n)s - a.index) * %(spacing)s * interval '1 second' AS at
            ) t
            CROSS JOIN LATERAL (
                SELECT CASE WHEN a.used THEN 'confirmed' ELSE 'expired' END AS status,
                       CASE WHEN a.used THEN 5000 ELSE 0 END AS sats
            ) s
            WHERE a.wallet_key_id = %(key)s
            """,
            {"key": key.pk, "n": tips, "spacing": SPACING},
        )
        cursor.execute(
            """
            INSERT INTO payments_payment
                (tip_id, address_id, txid, vout, value_sats, state, first_seen_at,
                 block_height, block_hash, updated_at)
            SELECT t.id, t.address_id, lpad(to_hex(t.id), 64, '0'), 0, 5000, 'confirmed',
                   t.created_at, 100, repeat('0', 64), now()
            FROM payments_tip t
            WHERE t.creator_id = %(creator)s AND t.status = 'confirmed'
            """,
            {"creator": creator.pk},
        )
        cursor.execute(
            "UPDATE creators_walletkey SET next_index = %s WHERE id = %s", [tips, key.pk]
        )
    return time.perf_counter() - start


def explain(sql: str, params: list | tuple, *, drop_index: str = "") -> str:
    """EXPLAIN ANALYZE of a query, optionally with an index dropped (rolled back after)."""
    from django.db import connection, transaction

    lines: list[str] = []
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            if drop_index:
                cursor.execute(f'DROP INDEX "{drop_index}"')
            cursor.execute("EXPLAIN (ANALYZE, COSTS OFF, SUMMARY ON) " + sql, params)
            lines = [row[0] for row in cursor.fetchall()]
            raise _Rollback
    except _Rollback:
        pass
    return "\n".join(lines)


class _Rollback(Exception):
    pass


def interleaved(cases: dict[str, Callable[[], object]], repeat: int) -> dict[str, float]:
    """Median seconds of each case, rounds interleaved so drift hits all alike."""
    for fn in cases.values():
        fn()  # warm-up
    samples: dict[str, list[float]] = {name: [] for name in cases}
    for _ in range(ROUNDS):
        for name, fn in cases.items():
            samples[name].append(median_seconds(fn, repeat=repeat, warmup=0))
    return {name: statistics.median(values) for name, values in samples.items()}


def served_rates(urls: dict[str, str]) -> dict[str, float]:
    """Requests per second of each URL behind gunicorn, as bench_pages measures pages."""
    from bench.bench_pages import served_samples

    return {
        name: statistics.median(rps for rps, _ in runs)
        for name, runs in served_samples(urls).items()
    }


def drf_cursor(position: str) -> str:
    """The `cursor` DRF's CursorPagination writes for a page starting after `position`."""
    return base64.b64encode(urlencode({"p": position}).encode("ascii")).decode("ascii")


def main() -> str:
    big_tips = big_size()
    setup_django()
    from django.conf import settings
    from django.db import connection
    from django.db.models import Max, Q
    from django.test import Client
    from django.utils import timezone

    from chain.models import ChainState
    from creators.services import api_key_create
    from payments import reports
    from payments.models import Tip
    from payments.onchain.addresses import gap_health, gap_health_recount, paid_on_chain
    from payments.onchain.gaps import gaps_rebuild
    from payments.rollups import rollups_rebuild
    from payments.services import tip_create
    from tests.factories import CreatorFactory

    settings.BITCACHE_MAX_OPEN_TIPS_PER_CREATOR = 10**9
    settings.BITCACHE_MAX_OPEN_TIPS_PER_CLIENT = 10**9
    # The bench never pays its new tips: without this they would hit the gap limit.
    settings.BITCACHE_GAP_LIMIT = 10**9
    settings.ALLOWED_HOSTS = ["*"]
    settings.SECURE_SSL_REDIRECT = False
    urlpatterns[:] = [path("bench/ok", ok), path("", include("bitcache.urls"))]
    settings.ROOT_URLCONF = __name__

    big = CreatorFactory(status="active", handle="big")
    small = CreatorFactory(status="active", handle="small")
    fresh = CreatorFactory(status="active", handle="fresh")
    seconds = seed(big, big_tips) + seed(small, SMALL)
    # The seed writes tips behind the rollups' back, as a restore would: recount them, as
    # the migration's backfill and `rollups_rebuild` do.
    rebuild_started = time.perf_counter()
    rollups_rebuild()
    rebuild_seconds = time.perf_counter() - rebuild_started
    # Their gap health likewise (INSERT ... SELECT over a window, as the migration does).
    gaps_started = time.perf_counter()
    gaps_rebuild()
    gaps_seconds = time.perf_counter() - gaps_started
    for creator in (big, small):
        key = creator.wallet_keys.get(is_active=True)
        assert gap_health(key) == gap_health_recount(key), creator.handle
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")  # what autovacuum does after a bulk load

    # --- tip_create ---------------------------------------------------------------
    def creations(creator) -> Callable[[], object]:
        return lambda: [tip_create(creator=creator, amount_sats=5000) for _ in range(TIP_BATCH)]

    created = interleaved({"fresh": creations(fresh), "big": creations(big)}, repeat=1)

    # --- tip lists ------------------------------------------------------------------
    clients, deepest, api_deepest, messages_deepest = {}, {}, {}, {}
    for name, creator in (("big", big), ("small", small)):
        client = Client()
        client.force_login(creator.user)
        _key, token = api_key_create(creator=creator, name="bench")
        clients[name] = (client, token)
        oldest = list(Tip.objects.filter(creator=creator).order_by("created_at", "pk")[:51])
        deepest[name] = reports.tip_cursor(oldest[50])
        messages_deepest[name] = reports.tip_cursor(oldest[50])
        api_deepest[name] = drf_cursor(str(oldest[50].created_at))

    def page(name: str, query: dict[str, str]) -> Callable[[], object]:
        client = clients[name][0]

        def get() -> None:
            response = client.get("/dashboard/tips/", query)
            assert response.status_code == 200, response.status_code
            assert response.content.count(b"<tr") > 50

        return get

    def api_page(name: str, query: dict[str, str]) -> Callable[[], object]:
        client, token = clients[name]

        def get() -> None:
            response = client.get(
                "/api/v1/creator/tips/", query, HTTP_AUTHORIZATION=f"Bearer {token}"
            )
            assert response.status_code == 200, response.content[:200]
            assert len(response.json()["results"]) == 50

        return get

    def messages(name: str, query: dict[str, str]) -> Callable[[], object]:
        client = clients[name][0]

        def get() -> None:
            response = client.get("/dashboard/messages/", query)
            assert response.status_code == 200, response.status_code
            assert response.content.count(b"thanks for the video") == 50

        return get

    def overview(name: str) -> Callable[[], object]:
        client = clients[name][0]

        def get() -> None:
            response = client.get("/dashboard/")
            assert response.status_code == 200, response.status_code

        return get

    ChainState.load()
    blocks = iter(range(10**6, 10**7))

    def overview_after_block(name: str) -> Callable[[], object]:
        get = overview(name)

        def after_block() -> None:
            # What a block scan leaves behind: the scanned chain moved (a new height and
            # hash), so nothing kept per block is reused.
            height = next(blocks)
            ChainState.objects.filter(pk=1).update(height=height, block_hash=f"{height:064x}")
            get()

        return after_block

    lists = interleaved(
        {
            "overview big": overview("big"),
            "overview small": overview("small"),
            "list first big": page("big", {}),
            "list first small": page("small", {}),
            "list deepest big": page("big", {"older": deepest["big"]}),
            "list deepest small": page("small", {"older": deepest["small"]}),
            "api first big": api_page("big", {}),
            "api first small": api_page("small", {}),
            "api deepest big": api_page("big", {"cursor": api_deepest["big"]}),
            "api deepest small": api_page("small", {"cursor": api_deepest["small"]}),
            "messages first big": messages("big", {}),
            "messages first small": messages("small", {}),
            "messages deepest big": messages("big", {"older": messages_deepest["big"]}),
            "messages deepest small": messages("small", {"older": messages_deepest["small"]}),
            "overview block big": overview_after_block("big"),
            "overview block small": overview_after_block("small"),
            # The recount gap health was before (now `gap_health_rebuild`'s check only).
            "gap recount big": lambda: gap_health_recount(big.wallet_keys.get(is_active=True)),
            "gap recount small": lambda: gap_health_recount(small.wallet_keys.get(is_active=True)),
        },
        repeat=PAGE_REPEAT,
    )

    # --- status.json ------------------------------------------------------------------
    tip = tip_create(creator=big, amount_sats=5000)
    status_url = f"/t/{tip.public_id}/status.json"
    if shutil.which("wrk"):
        served = "gunicorn 2 workers, wrk 32 connections, requests/s"
        rates = served_rates({"bare": "/bench/ok", "status": status_url})
    else:  # in-process: the bare view looks far cheaper than it is behind gunicorn
        served = "in-process client (no wrk), requests/s"
        viewer = Client()
        assert viewer.get(status_url).status_code == 200
        polled = interleaved(
            {
                "bare": lambda: viewer.get("/bench/ok"),
                "status": lambda: viewer.get(status_url),
            },
            repeat=STATUS_REPEAT,
        )
        rates = {name: 1 / seconds for name, seconds in polled.items()}

    # --- EXPLAIN ----------------------------------------------------------------------
    key = big.wallet_keys.get(is_active=True)
    old_probe = paid_on_chain(key).values("wallet_key").annotate(top=Max("index")).values("top")
    from payments.onchain.addresses import last_used_index

    new_probe = (
        paid_on_chain(key).filter(used=True).order_by("-index").values_list("index", flat=True)[:1]
    )
    assert last_used_index(key) == old_probe.get()["top"]
    first_page = reports.tips_of(creator=big).order_by("-created_at", "-pk")[:51]
    offset_deepest = reports.tips_of(creator=big).order_by("-created_at", "-pk")[
        big_tips - 50 : big_tips + 1
    ]
    place_tip = Tip.objects.filter(creator=big).order_by("created_at", "pk")[50]
    keyset_deepest = (
        reports.tips_of(creator=big)
        .filter(created_at__lte=place_tip.created_at)
        .filter(Q(created_at__lt=place_tip.created_at) | Q(pk__lt=place_tip.pk))
        .order_by("-created_at", "-pk")[:51]
    )

    def sql(qs) -> tuple[str, tuple]:
        return qs.query.sql_with_params()

    from django.db.models import Count, F, Sum, Window
    from django.db.models.functions import Lag

    from payments.models import TipDayTotal, TipSourceTotal, TipStatus
    from payments.selectors import tip_messages_of

    old_gap = paid_on_chain(key).order_by("index").values_list("index", flat=True)
    new_gap = paid_on_chain(key).annotate(
        previous=Window(Lag("index", default=-1), order_by=F("index").asc())
    )
    gap_sql, gap_params = new_gap.values("index", "previous").query.sql_with_params()
    gap_sql = (
        f'SELECT MAX(paid."index"), MAX(paid."index" - paid."previous" - 1) FROM ({gap_sql}) paid'
    )
    from payments.models import GapRun

    kept_gap = GapRun.objects.filter(wallet_key=key).order_by("-length").values("length")[:1]
    confirmed = Tip.objects.filter(creator=big, status=TipStatus.CONFIRMED)
    all_time = confirmed.values("creator").annotate(n=Count("pk"), sats=Sum("confirmed_sats"))
    month = confirmed.filter(created_at__gte=reports._start_of(timezone.localdate().replace(day=1)))
    month_totals = month.values("creator").annotate(n=Count("pk"), sats=Sum("confirmed_sats"))
    per_video = (
        confirmed.exclude(video_id="")
        .values("video_id")
        .annotate(n=Count("pk"), sats=Sum("confirmed_sats"))
        .order_by("-sats")
    )
    days = TipDayTotal.objects.filter(creator=big)
    all_time_new = days.values("creator").annotate(n=Sum("count"), sats=Sum("sats"))
    month_new = (
        days.filter(day__gte=timezone.localdate().replace(day=1))
        .values("creator")
        .annotate(n=Sum("count"), sats=Sum("sats"))
    )
    per_video_new = (
        TipSourceTotal.objects.filter(creator=big)
        .exclude(video_id="")
        .values("video_id")
        .annotate(n=Sum("count"), sats=Sum("sats"))
    )
    messages_first = tip_messages_of(big)[:51]
    messages_offset = tip_messages_of(big)[big_tips - 50 : big_tips + 1]
    messages_keyset = (
        tip_messages_of(big)
        .filter(created_at__lte=place_tip.created_at)
        .filter(Q(created_at__lt=place_tip.created_at) | Q(pk__lt=place_tip.pk))[:51]
    )

    explains = [
        ("`last_used_index()` before: MAX over every paid address", explain(*sql(old_probe))),
        ("`last_used_index()` after: probe from the top", explain(*sql(new_probe))),
        (
            "tip list, first page, before (no (creator, created_at, id) index)",
            explain(*sql(first_page), drop_index="tip_creator_newest"),
        ),
        ("tip list, first page, after", explain(*sql(first_page))),
        (
            "tip list, deepest page, before (OFFSET, no new index)",
            explain(*sql(offset_deepest), drop_index="tip_creator_newest"),
        ),
        ("tip list, deepest page, after (keyset)", explain(*sql(keyset_deepest))),
        (
            "`gap_health()` before: every paid index, loaded into Python",
            explain(*sql(old_gap)),
        ),
        (
            "`gap_health_recount()` (gap health until now): a window over every paid index",
            explain(gap_sql, gap_params),
        ),
        ("`gap_health()` now: the longest kept run, one index probe", explain(*sql(kept_gap))),
        (
            "overview, this month's confirmed totals, before: the creator's confirmed tips",
            explain(*sql(month_totals)),
        ),
        ("overview, this month's confirmed totals, after: day rollup", explain(*sql(month_new))),
        ("overview, all-time confirmed totals, before", explain(*sql(all_time))),
        ("overview, all-time confirmed totals, after: day rollup", explain(*sql(all_time_new))),
        ("overview, per video, before", explain(*sql(per_video))),
        ("overview, per video, after: source rollup", explain(*sql(per_video_new))),
        (
            "messages, first page, before (no tip_creator_messages)",
            explain(*sql(messages_first), drop_index="tip_creator_messages"),
        ),
        ("messages, first page, after", explain(*sql(messages_first))),
        ("messages, deepest page, before (OFFSET)", explain(*sql(messages_offset))),
        ("messages, deepest page, after (keyset)", explain(*sql(messages_keyset))),
    ]

    def ratio(a: float, b: float) -> str:
        return f"{a / b:.2f}"

    def ms(value: float) -> str:
        return f"{value * 1000:.1f}"

    fresh_op, big_op = created["fresh"] / TIP_BATCH, created["big"] / TIP_BATCH
    rows = [
        [
            "`tip_create`, big / fresh creator",
            ms(big_op),
            ms(fresh_op),
            ratio(big_op, fresh_op),
            "<= 1.5",
        ],
    ]
    for label, key_name in (
        ("dashboard overview", "overview"),
        ("dashboard overview, first after a new block (gap health kept)", "overview block"),
        ("dashboard tip list, first page", "list first"),
        ("dashboard tip list, deepest page", "list deepest"),
        ("`GET /api/v1/creator/tips/`, first page", "api first"),
        ("`GET /api/v1/creator/tips/`, deepest page", "api deepest"),
        ("dashboard messages, first page", "messages first"),
        ("dashboard messages, deepest page", "messages deepest"),
    ):
        a, b = lists[f"{key_name} big"], lists[f"{key_name} small"]
        rows.append([f"{label}, big / small", ms(a), ms(b), ratio(a, b), "<= 2"])
    a, b = lists["gap recount big"], lists["gap recount small"]
    rows.append(
        [
            "`gap_health_recount()` (what that overview paid before), big / small",
            ms(a),
            ms(b),
            ratio(a, b),
            "(reported)",
        ]
    )
    rows.append(
        [
            f"`status.json` / bare view ({served})",
            f"{rates['status']:,.0f}",
            f"{rates['bare']:,.0f}",
            ratio(rates["status"], rates["bare"]),
            ">= 0.5",
        ]
    )
    cache_backend = settings.CACHES["default"]["BACKEND"].rsplit(".", 1)[-1]
    out = [
        f"### A big creator: {big_tips:,} tips against {SMALL:,} "
        "(PostgreSQL; pages in-process, status.json behind gunicorn)",
        "",
        f"Seeded {big_tips + SMALL:,} tips, their addresses and payments in {seconds:.0f} s "
        f"(INSERT ... SELECT generate_series); `rollups_rebuild` recounted their rollups in "
        f"{rebuild_seconds:.1f} s, `gap_health_rebuild` their gap health in "
        f"{gaps_seconds:.1f} s. Cache: {cache_backend}. Times are medians of "
        f"{ROUNDS} interleaved rounds; `tip_create` per call, pages per request.",
        "",
        table(["what", "a", "b", "a / b", "target"], rows),
        "",
        "<details><summary>EXPLAIN ANALYZE, before and after</summary>",
        "",
    ]
    for title, plan in explains:
        out += [f"{title}:", "", "```", plan, "```", ""]
    out.append("</details>")
    return "\n".join(out)


if __name__ == "__main__":
    print(main())
