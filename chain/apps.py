from django.apps import AppConfig


class ChainConfig(AppConfig):
    """Chain sources (Esplora, Bitcoin Core, simulated) and the scanner's state; no tenants."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "chain"
