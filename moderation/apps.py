from django.apps import AppConfig
from django.db.models.signals import post_migrate


def _setup_roles(**kwargs) -> None:
    from moderation.roles import roles_setup

    roles_setup()


class ModerationConfig(AppConfig):
    """Creator states and actions, the append-only log, reports, message holds, staff pages."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "moderation"

    def ready(self) -> None:
        from moderation import receivers  # noqa: F401 - connects the receivers

        # After every `migrate`, so a fresh install has the Moderators group without
        # a data migration (and a later change of its permissions applies itself).
        post_migrate.connect(_setup_roles, sender=self, dispatch_uid="moderation.setup_roles")
