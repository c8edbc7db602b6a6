import os

from celery import Celery
from celery.signals import beat_init

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bitcache.settings.local")

app = Celery("bitcache")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@beat_init.connect
def refresh_rates_at_start(**kwargs: object) -> None:
    """Beat runs an interval task first one interval after it starts; fiat prices should
    not be unavailable for those minutes after every restart (or a fresh `make run`)."""
    from rates.tasks import rates_refresh

    rates_refresh.delay()
