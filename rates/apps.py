from django.apps import AppConfig


class RatesConfig(AppConfig):
    """Bitcoin prices in fiat: providers, the cached rate table, money conversion; no tenants."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "rates"
