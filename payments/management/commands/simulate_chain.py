from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from chain.simulated import SimulatedChain


class Command(BaseCommand):
    help = "Script the simulated chain: mine blocks, reorganise, replace (RBF) or drop a tx."

    def add_arguments(self, parser):
        actions = parser.add_subparsers(dest="action", required=True)
        mine = actions.add_parser("mine", help="mine blocks with the mempool's transactions")
        mine.add_argument("--blocks", type=int, default=1)
        reorg = actions.add_parser("reorg", help="replace the last DEPTH blocks by a new branch")
        reorg.add_argument("--depth", type=int, default=1)
        reorg.add_argument(
            "--drop",
            nargs="*",
            default=[],
            metavar="TXID",
            help="transactions the new branch leaves out and forgets",
        )
        replace = actions.add_parser("replace", help="RBF: replace a mempool tx, paying nobody")
        replace.add_argument("txid")
        drop = actions.add_parser("drop", help="drop a mempool transaction")
        drop.add_argument("txid")

    def handle(self, *args, action, **options):
        if settings.BITCACHE_CHAIN_SOURCE != "simulated":
            raise CommandError("simulate_chain only works with BITCACHE_CHAIN_SOURCE=simulated.")
        chain = SimulatedChain.from_settings()
        if action == "mine":
            for block_hash in chain.mine(options["blocks"]):
                self.stdout.write(f"mined {block_hash}")
        elif action == "reorg":
            chain.reorg(options["depth"], drop_txids=options["drop"])
            self.stdout.write(f"reorganised the last {options['depth']} block(s)")
        elif action == "replace":
            self.stdout.write(f"replaced by {chain.replace(options['txid'], [])}")
        elif action == "drop":
            chain.drop(options["txid"])
            self.stdout.write("dropped")
        tip = chain.tip()
        self.stdout.write(f"tip: {tip.height} {tip.hash}")
