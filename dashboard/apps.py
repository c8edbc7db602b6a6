from django.apps import AppConfig


class DashboardConfig(AppConfig):
    """Every page a creator works in: overview, tips, CSV, messages, widgets, unlocks, API keys,
    webhooks and settings. It reads the other apps only through their selectors and services."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "dashboard"

    def ready(self) -> None:
        from dashboard import receivers  # noqa: F401 - wakes the open dashboards
