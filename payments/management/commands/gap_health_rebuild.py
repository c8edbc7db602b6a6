from django.core.management.base import BaseCommand, CommandError

from creators.models import WalletKey
from payments.onchain.gaps import gaps_rebuild


class Command(BaseCommand):
    help = (
        "Recount the gap health the dashboard overview reads (each key's highest paid index "
        "and unpaid runs) from the payments, for every key or one. Safe while the watcher runs."
    )

    def add_arguments(self, parser):
        parser.add_argument("--key", type=int, metavar="ID", help="only this wallet key")

    def handle(self, *args, key, **options):
        if key is not None and not WalletKey.objects.filter(pk=key).exists():
            raise CommandError(f"no wallet key with id {key}")
        runs = gaps_rebuild(wallet_key_id=key)
        self.stdout.write(f"{runs} gap runs written")
