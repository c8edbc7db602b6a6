from django.apps import AppConfig


class OverlaysConfig(AppConfig):
    """Stream overlays for OBS: alerts, a goal bar and supporters, behind a secret URL."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "overlays"

    def ready(self) -> None:
        from overlays import receivers  # noqa: F401 - the tip-events consumer, the hide hook
