from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from chain.simulated import SimulatedChain
from payments.models import Tip


class Command(BaseCommand):
    help = (
        "Pay a tip on the simulated chain (offline trials only): python manage.py "
        "simulate_payment TIP_ID [--sats N] [--confirm]"
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "tip_id",
            help="the tip's public id (in its URL); write -- before an older id starting with -",
        )
        parser.add_argument("--sats", type=int, help="amount to send (default: the tip's amount)")
        parser.add_argument("--confirm", action="store_true", help="also mine a block with it")

    def handle(self, *args, tip_id, sats, confirm, **options):
        if settings.BITCACHE_CHAIN_SOURCE != "simulated":
            raise CommandError("simulate_payment only works with BITCACHE_CHAIN_SOURCE=simulated.")
        tip = Tip.objects.select_related("address").filter(public_id=tip_id).first()
        if tip is None:
            raise CommandError(f"No tip with id {tip_id!r}.")
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
