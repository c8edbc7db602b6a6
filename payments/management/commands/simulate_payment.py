from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from btc.bolt11 import InvoiceRefused, invoice_decode
from chain.simulated import SimulatedChain
from payments.lightning.simulated import NotSimulated, simulated_allowed, simulated_invoice_pay
from payments.models import Rail, Tip


class Command(BaseCommand):
    help = (
        "Pay a tip offline, on either rail: on the simulated chain (an on-chain tip), or its "
        "invoice from the simulated Lightning wallet (a Lightning tip): python manage.py "
        "simulate_payment TIP_ID [--sats N] [--confirm], or simulate_payment BOLT11 (an "
        "invoice an LNURL callback returned)"
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "tip_id",
            help="the tip's public id (in its URL), or its Lightning invoice (lnbc...); write "
            "-- before an older id starting with -",
        )
        parser.add_argument(
            "--sats", type=int, help="amount to send on-chain (default: the tip's amount)"
        )
        parser.add_argument(
            "--confirm", action="store_true", help="on-chain: also mine a block with it"
        )

    def handle(self, *args, tip_id, sats, confirm, **options):
        tips = Tip.objects.select_related("address", "lightning_invoice")
        tip = tips.filter(public_id=tip_id).first()
        if tip is None and tip_id.lower().startswith("ln"):
            try:
                payment_hash = invoice_decode(tip_id).payment_hash
            except InvoiceRefused as exc:
                raise CommandError(f"That is not an invoice: {exc}") from None
            tip = tips.filter(lightning_invoice__payment_hash=payment_hash).first()
        if tip is None:
            raise CommandError(f"No tip with id {tip_id[:40]!r}.")
        if tip.rail == Rail.LIGHTNING:
            self._pay_invoice(tip, sats)
        else:
            self._pay_onchain(tip, sats, confirm)

    def _pay_invoice(self, tip, sats):
        if not simulated_allowed():
            raise CommandError("simulate_payment needs BITCACHE_LIGHTNING_SIMULATED on.")
        if sats is not None and sats != tip.amount_sats:
            raise CommandError("A Lightning invoice is paid in full: leave out --sats.")
        try:
            paid = simulated_invoice_pay(tip=tip)
        except NotSimulated:
            raise CommandError(
                "This tip's invoice comes from a real wallet: only the simulated wallet's "
                "invoices can be paid here."
            ) from None
        if paid is None:
            raise CommandError("The invoice was not taken in (see the log).")
        self.stdout.write(
            f"paid the Lightning invoice of {tip.amount_sats} sats: tip {paid.public_id} "
            f"is {paid.status}"
        )

    def _pay_onchain(self, tip, sats, confirm):
        if settings.BITCACHE_CHAIN_SOURCE != "simulated":
            raise CommandError("simulate_payment only works with BITCACHE_CHAIN_SOURCE=simulated.")
        amount = tip.amount_sats if sats is None else sats
        if amount <= 0:
            raise CommandError("--sats must be a positive number of sats.")
        chain = SimulatedChain.from_settings()
        txid = chain.send([(tip.address.address, amount)])
        self.stdout.write(f"sent {amount} sats to {tip.address.address} in {txid}")
        if confirm:
            (block_hash,) = chain.mine(1)
            self.stdout.write(f"mined block {block_hash}")
        self.stdout.write(
            f"The watcher sees it within {settings.BITCACHE_WATCH_INTERVAL_SECONDS} s "
            "(or run: python manage.py watch_chain)."
        )
