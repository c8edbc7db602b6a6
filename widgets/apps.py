from django.apps import AppConfig


class WidgetsConfig(AppConfig):
    name = "widgets"
    verbose_name = "Widgets and tip pages"

    def ready(self) -> None:
        from widgets import signals  # noqa: F401 - connects the receivers
