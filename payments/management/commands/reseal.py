from django.core.management.base import BaseCommand, CommandError

from payments.lightning.connections import lightning_wallets_reseal


class Command(BaseCommand):
    help = (
        "Re-seal every stored wallet connection secret under the first key of "
        "BITCACHE_SEALING_KEYS. Rotate keys by putting the new key first, running this, "
        "then dropping the old key."
    )

    def handle(self, *args, **options):
        resealed, broken = lightning_wallets_reseal()
        self.stdout.write(f"Resealed {resealed} wallet connection secret(s) under the first key.")
        if broken:
            ids = ", ".join(str(pk) for pk in broken)
            raise CommandError(
                f"No configured key opens the secret of Lightning wallet(s) {ids}: put the "
                "key they were sealed with back in BITCACHE_SEALING_KEYS, or have those "
                "creators reconnect."
            )
