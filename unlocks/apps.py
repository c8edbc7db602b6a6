from django.apps import AppConfig


class UnlocksConfig(AppConfig):
    name = "unlocks"
    verbose_name = "Paid unlocks"

    def ready(self) -> None:
        from unlocks import receivers  # noqa: F401 - connects the receivers
