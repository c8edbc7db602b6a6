"""Listens for NIP-47 payment notifications from every connected NWC wallet (Procfile.dev's
`lightning` process) and settles the matching Lightning tips."""

from __future__ import annotations

import logging
import signal
import threading
from typing import Any

from django.core.management.base import BaseCommand

from payments.lightning.nwc_wallet import watch_notifications
from payments.lightning.services import invoice_settled

logger = logging.getLogger(__name__)


def settle(payment_hash: str, preimage: str | None) -> object:
    return invoice_settled(payment_hash=payment_hash, preimage=preimage)


class Command(BaseCommand):
    help = (
        "Listen for payment notifications (NIP-47 payment_received) from every connected "
        "Nostr Wallet Connect wallet and settle the Lightning tips they pay."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "--reload",
            type=float,
            default=60.0,
            metavar="SECONDS",
            help="look for new, changed or removed wallet connections every SECONDS",
        )

    def handle(self, *args: Any, reload: float, **options: Any) -> None:
        stop = threading.Event()
        if threading.current_thread() is threading.main_thread():
            for signum in (signal.SIGINT, signal.SIGTERM):
                signal.signal(signum, lambda *_: stop.set())
        self.stdout.write("Listening for Lightning payments (Ctrl-C to stop).")
        watch_notifications(settle, reload_seconds=reload, stop=stop)
