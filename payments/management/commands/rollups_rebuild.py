from django.core.management.base import BaseCommand, CommandError

from creators.models import Creator
from payments.rollups import rollups_rebuild


class Command(BaseCommand):
    help = (
        "Recount the confirmed-tip rollups the dashboard overview reads (per day, widget "
        "and video) from the tips, for every creator or one. Safe while the watcher runs."
    )

    def add_arguments(self, parser):
        parser.add_argument("--creator", metavar="HANDLE", help="only this creator")

    def handle(self, *args, creator, **options):
        creator_id = None
        if creator:
            found = Creator.objects.filter(handle=creator).values_list("pk", flat=True).first()
            if found is None:
                raise CommandError(f"no creator with handle {creator!r}")
            creator_id = found
        rows = rollups_rebuild(creator_id=creator_id)
        self.stdout.write(f"{rows} rollup rows written")
