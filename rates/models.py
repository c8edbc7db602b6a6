from __future__ import annotations

from datetime import datetime, timedelta

from django.db import models


class Rate(models.Model):
    """The current price of one bitcoin in a fiat currency: the median of the providers
    that answered at the last refresh. Page views read this table; only the refresh
    task talks to providers."""

    currency = models.CharField(max_length=3, unique=True)
    # Fiat per BTC. 16 whole digits: a bitcoin in dong or rupiah is a ten-digit figure.
    rate = models.DecimalField(max_digits=24, decimal_places=8)
    # Names of the providers whose median this is.
    sources = models.JSONField(default=list)
    fetched_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"1 BTC = {self.rate} {self.currency}"


class ProviderCircuit(models.Model):
    """A provider's circuit breaker: after enough failures in a row it is left alone
    for a cool-down, then tried once again; one more failure opens it again."""

    provider = models.CharField(max_length=32, unique=True)
    consecutive_failures = models.PositiveIntegerField(default=0)
    open_until = models.DateTimeField(null=True, blank=True)
    last_error = models.CharField(max_length=300, blank=True)

    def __str__(self) -> str:
        return self.provider

    def is_open(self, now: datetime) -> bool:
        return self.open_until is not None and now < self.open_until

    def record_failure(
        self, error: str, *, now: datetime, threshold: int, cooldown: timedelta
    ) -> None:
        self.consecutive_failures += 1
        self.last_error = error[:300]
        if self.consecutive_failures >= threshold:
            self.open_until = now + cooldown
        self.save()

    def record_success(self) -> None:
        if self.consecutive_failures or self.open_until or self.last_error:
            self.consecutive_failures = 0
            self.open_until = None
            self.last_error = ""
            self.save()
