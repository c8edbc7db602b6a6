"""Issue 10: a Lightning invoice from an NWC wallet over a local relay vs an on-chain tip.

Both in the same run: `tip_create` (allocate + derive + insert an on-chain tip) and the
"nwc" adapter's `make_invoice` + `invoice_check` round trip (sign, NIP-44 encrypt, publish
to rust-nostr's LocalRelay on loopback, the wallet-service double of tests/nwc answers with
a real signed BOLT11 invoice, verify, decrypt, decode). Also: from the wallet publishing
`payment_received` to the listener's `on_payment` call, median and p95.

The relay and the wallet run in this process (threads), so the figures include their work
too: a remote relay adds its network round trips on top.
"""

from __future__ import annotations

import statistics
import threading
import time

from bench.common import median_seconds, setup_django, table

BATCH = 20
NOTIFICATIONS = 40


def main() -> str:
    setup_django()
    from django.conf import settings
    from django.test import Client

    from btc.bolt11 import description_hash_of, invoice_check
    from creators.models import LightningWallet
    from nwc.relay import NotificationListener
    from payments.lightning.nwc_wallet import NwcWallet
    from payments.lightning.wallets import adapter_for
    from payments.services import tip_create
    from tests.factories import CreatorFactory
    from tests.nwc.local_relay import LocalRelay
    from tests.nwc.wallet_service import WalletService
    from web.sealing import seal

    settings.BITCACHE_MAX_OPEN_TIPS_PER_CREATOR = 10**9
    settings.BITCACHE_TIP_RATE_PER_IP = 10**9
    settings.BITCACHE_TIP_RATE_PER_CREATOR = 10**9
    settings.BITCACHE_NETWORK = "regtest"  # the wallet-service double's invoices
    settings.BITCACHE_LNURL_ALLOWED_NETWORKS = ["127.0.0.0/8"]  # the relay is on loopback
    settings.BITCACHE_MAX_OPEN_TIPS_PER_CLIENT = 10**9
    settings.BITCACHE_GAP_LIMIT = 10**9
    relay = LocalRelay().start()
    wallet = WalletService(relay.url).start()
    try:
        creator = CreatorFactory(status="active", min_tip_sats=1)
        connected = NwcWallet.connect(wallet.uri())
        row = LightningWallet.objects.create(
            creator=creator,
            kind="nwc",
            label=connected.label,
            public=connected.public,
            secret_sealed=seal(connected.secret),
        )
        adapter = adapter_for(row)
        description_hash = description_hash_of("bench")

        def tip_creations() -> None:
            for _ in range(BATCH):
                tip_create(creator=creator, amount_sats=5000)

        def lightning_invoices() -> None:
            for _ in range(BATCH):
                made = adapter.make_invoice(
                    amount_msat=5_000_000, description_hash=description_hash, expiry_seconds=600
                )
                invoice_check(
                    made.bolt11,
                    amount_msat=5_000_000,
                    network="regtest",
                    description_hash=description_hash,
                    now=int(time.time()),
                )

        # The whole Lightning tip a wallet asks for: the LNURL callback (parse, the wallet's
        # invoice over the relay, its check, the tip recorded, the answer).
        viewer = Client(HTTP_HOST="127.0.0.1")
        callback = f"/.well-known/lnurlp/{creator.handle}/callback"

        def lnurl_tips() -> None:
            for _ in range(BATCH):
                answer = viewer.get(callback, {"amount": 5_000_000}).json()
                assert "pr" in answer, answer

        onchain = median_seconds(tip_creations, repeat=5)
        lightning = median_seconds(lightning_invoices, repeat=5)
        lnurl = median_seconds(lnurl_tips, repeat=5)

        latencies: list[float] = []
        arrived = threading.Event()
        sent_at: dict[str, float] = {}

        def on_payment(key: str, payment_hash: str, preimage: str | None) -> None:
            latencies.append(time.perf_counter() - sent_at[payment_hash])
            arrived.set()

        with NotificationListener({"bench": wallet.connection()}, on_payment) as listener:
            listener.wait_subscribed(10)
            for _ in range(NOTIFICATIONS):
                invoice = wallet.invoice_for(amount_msat=1000)
                event = wallet.notification(invoice)
                invoice.settled = True
                arrived.clear()
                sent_at[invoice.payment_hash] = time.perf_counter()
                wallet.send(event)
                arrived.wait(10)
    finally:
        wallet.stop()
        relay.stop()

    ordered = sorted(latencies)
    p95 = ordered[max(0, round(0.95 * len(ordered)) - 1)]
    rows = [
        ["on-chain `tip_create` (baseline)", f"{onchain / BATCH * 1000:.1f}", "1.00"],
        [
            "NWC `make_invoice` + `invoice_check` over the local relay",
            f"{lightning / BATCH * 1000:.1f}",
            f"{lightning / onchain:.2f}",
        ],
        [
            "Lightning tip through the LNURL callback (NWC wallet over the local relay)",
            f"{lnurl / BATCH * 1000:.1f}",
            f"{lnurl / onchain:.2f}",
        ],
    ]
    return (
        "### Lightning invoice over NWC vs on-chain tip (issue 10; loopback relay and wallet)\n\n"
        + table(["operation", "ms per tip", "time ratio"], rows)
        + f"\n\n`payment_received` published -> listener's `on_payment`: median "
        f"{statistics.median(latencies) * 1000:.1f} ms, p95 {p95 * 1000:.1f} ms "
        f"({len(latencies)} of {NOTIFICATIONS} notifications)."
    )


if __name__ == "__main__":
    print(main())
