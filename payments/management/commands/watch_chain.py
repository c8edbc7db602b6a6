import time

from django.core.management.base import BaseCommand

from payments.tasks import watch_chain, watch_mempool


class Command(BaseCommand):
    help = (
        "Run the chain watcher now (what the Celery tasks do: blocks, then the mempool), "
        "once or in a loop."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--loop", type=float, metavar="SECONDS", help="repeat every SECONDS until interrupted"
        )

    def handle(self, *args, loop, **options):
        while True:
            for task in (watch_chain, watch_mempool):
                result = task()
                self.stdout.write(
                    str(result) if result is not None else "skipped (busy or backing off)"
                )
            if not loop:
                return
            time.sleep(loop)
