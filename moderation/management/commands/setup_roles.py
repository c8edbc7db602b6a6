from django.core.management.base import BaseCommand

from moderation.roles import MODERATOR_PERMISSIONS, MODERATORS, roles_setup


class Command(BaseCommand):
    help = (
        f"Create or repair the “{MODERATORS}” group and its permissions. Safe to run again; "
        "`migrate` runs it too. Add a staff user to the group to make them a moderator."
    )

    def handle(self, *args, **options) -> None:
        group = roles_setup()
        self.stdout.write(
            f"{group.name}: {len(MODERATOR_PERMISSIONS)} permissions "
            f"({', '.join(MODERATOR_PERMISSIONS)})"
        )
