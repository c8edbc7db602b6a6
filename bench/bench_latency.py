"""From the chain source's report to the viewer's screen: pushed (SSE) against polled.

The simulated chain "reports" a payment (the transaction enters its mempool); the watcher
runs at once, as `watch_zmq` makes it run on Bitcoin Core's notification, and the clock
stops when the viewer's connection shows "payment seen". Pushed: an SSE stream to one
uvicorn worker through Redis, one trial at a time. Polled: what the payment page did before,
`status.json` every POLL_SECONDS. The outbox
dispatch that a Celery worker does in production runs inline here (task_always_eager), so
the broker's hop (a few ms on loopback) is not in the figure. Polled trials pay one tip at
a time too, each while its page waits for its next poll (a random phase).

Run: `python -m bench.bench_latency`.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import random
import statistics
import time
import urllib.request

from bench.bench_live import live_site, open_stream
from bench.common import setup_django, table

TRIALS = 20
POLL_TRIALS = 10  # each one waits for the page's poll: seconds apiece
POLL_SECONDS = 4.0  # the payment page's poll before pushes
TARGET_MEDIAN, TARGET_P95 = 2.0, 3.0


def p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20, method="inclusive")[-1]


def main() -> str:
    setup_django()
    from bitcache.celery_app import app
    from btc.lnurl import pay_metadata
    from chain.simulated import SimulatedChain
    from payments.lightning.services import invoice_settled, lightning_tip_create
    from payments.lightning.simulated import SimulatedInvoice
    from payments.services import tip_create
    from payments.tasks import watch_chain, watch_mempool
    from tests.factories import CreatorFactory
    from tests.lightning.doubles import connect_simulated

    app.conf.task_always_eager = True
    chain = SimulatedChain.from_settings()
    chain.ensure_genesis()
    watch_chain()
    creators = [CreatorFactory(handle=f"latency{n}", verified=True) for n in range(5)]

    # Spread over creators: each holds at most BITCACHE_MAX_OPEN_TIPS_PER_CREATOR open tips.
    turns = itertools.cycle(creators)

    def new_tip():
        return tip_create(creator=next(turns), amount_sats=5000)

    def pay(*tips) -> None:
        chain.send([(tip.address.address, tip.amount_sats) for tip in tips])
        watch_mempool()

    with live_site(TRIALS + 10) as (port, _server):

        async def pushed(make_tip, report, shown: bytes) -> list[float]:
            """TRIALS times: a tip's stream open, the source reports its payment, the clock
            stops when the stream shows `shown`."""
            seen = []
            for _ in range(TRIALS):
                tip = await asyncio.to_thread(make_tip)
                reader, writer = await open_stream(port, tip.public_id)
                started = time.perf_counter()
                await asyncio.to_thread(report, tip)
                await reader.readuntil(shown)
                seen.append(time.perf_counter() - started)
                writer.close()
            return seen

        push = asyncio.run(pushed(new_tip, pay, b'"in_mempool"'))

        def status(tip_id: str) -> str:
            url = f"http://127.0.0.1:{port}/t/{tip_id}/status.json"
            with urllib.request.urlopen(url, timeout=10) as answer:
                return json.load(answer)["status"]

        async def polled() -> list[float]:
            seen = []
            for _ in range(POLL_TRIALS):
                tip = await asyncio.to_thread(new_tip)
                started = time.perf_counter()
                paying = asyncio.ensure_future(asyncio.to_thread(pay, tip))
                # The page's next poll falls anywhere in its period.
                await asyncio.sleep(random.uniform(0, POLL_SECONDS))
                while await asyncio.to_thread(status, tip.public_id) != "in_mempool":
                    await asyncio.sleep(POLL_SECONDS)
                seen.append(time.perf_counter() - started)
                await paying
            return seen

        poll_seen = asyncio.run(polled())

        # Lightning: the wallet reports the payment (what watch_lightning does on a NIP-47
        # payment_received notification: invoice_settled) -> the screen shows "confirmed".
        lightning_creator = CreatorFactory(handle="latencyln", verified=True, min_tip_sats=1)
        connect_simulated(lightning_creator)
        metadata = pay_metadata(text="bench", identifier="latencyln@127.0.0.1")

        def lightning_tip():
            return lightning_tip_create(
                creator=lightning_creator, amount_msat=21_000, description=metadata
            )

        def wallet_reports(tip) -> None:
            payment_hash = tip.lightning_invoice.payment_hash
            minted = SimulatedInvoice.objects.get(payment_hash=payment_hash)
            invoice_settled(payment_hash=payment_hash, preimage=minted.preimage)

        lightning_seen = asyncio.run(pushed(lightning_tip, wallet_reports, b'"confirmed"'))

    push_median, poll_median = statistics.median(push), statistics.median(poll_seen)
    rows: list[list[object]] = [
        ["measure", "pushed (SSE)", "polled (status.json every 4 s)", "target"],
        [
            "source report -> screen, median",
            f"{push_median * 1000:.0f} ms",
            f"{poll_median * 1000:.0f} ms",
            f"<= {TARGET_MEDIAN:.0f} s",
        ],
        [
            "source report -> screen, p95",
            f"{p95(push) * 1000:.0f} ms",
            f"{p95(poll_seen) * 1000:.0f} ms",
            f"<= {TARGET_P95:.0f} s",
        ],
        ["pushed / polled, median", f"{push_median / poll_median:.2f}", "", ""],
        [
            "Lightning: wallet reports paid -> screen, median / p95",
            f"{statistics.median(lightning_seen) * 1000:.0f} ms"
            f" / {p95(lightning_seen) * 1000:.0f} ms",
            "",
            "well under 1 s",
        ],
    ]
    return (
        f"### From the source's report to the viewer's screen (bench_latency, {TRIALS} tips)\n\n"
        + table(rows[0], rows[1:])
    )


if __name__ == "__main__":
    print(main())
