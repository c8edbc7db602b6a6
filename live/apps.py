from django.apps import AppConfig


class LiveConfig(AppConfig):
    """Pushed updates: each tip's public events, streamed to its payment screen (SSE)."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "live"

    def ready(self) -> None:
        from live import receivers  # noqa: F401 - registers the tip-events consumer
