from django.apps import AppConfig
from django.db.models.signals import post_migrate


def _setup_roles(**kwargs) -> None:
    from creators.roles import roles_setup

    roles_setup()


class CreatorsConfig(AppConfig):
    name = "creators"
    verbose_name = "Creators"

    def ready(self) -> None:
        # After every `migrate`, so a fresh install has the Moderators group without
        # a data migration (and a later change of its permissions applies itself).
        post_migrate.connect(_setup_roles, sender=self, dispatch_uid="creators.setup_roles")
