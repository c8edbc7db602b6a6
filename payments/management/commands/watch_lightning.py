"""Listens for NIP-47 payment notifications from every connected NWC wallet (Procfile.dev's
`lightning` process) and settles the matching Lightning tips."""

from __future__ import annotations

import importlib
import logging
import signal
import threading
from collections.abc import Callable
from typing import Any

from django.core.management.base import BaseCommand

from payments.lightning.nwc_wallet import watch_notifications

logger = logging.getLogger(__name__)


def settle_function() -> Callable[[str, str | None], object]:
    """`invoice_settled(*, payment_hash, preimage)` from the Lightning rail.

    LEAD (merge): helper A's rail provides payments.lightning.services.invoice_settled;
    once it is merged, replace this lookup with
    `from payments.lightning.services import invoice_settled`.
    """
    try:
        settled = importlib.import_module("payments.lightning.services").invoice_settled
    except (ImportError, AttributeError):

        def settled(*, payment_hash: str, preimage: str | None) -> None:
            logger.warning(
                "no Lightning rail to settle %s (payments.lightning.services)", payment_hash
            )

    def on_payment(payment_hash: str, preimage: str | None) -> object:
        return settled(payment_hash=payment_hash, preimage=preimage)

    return on_payment


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
        watch_notifications(settle_function(), reload_seconds=reload, stop=stop)
