"""The rates settings, read once per refresh (bitcache/settings/base.py documents each)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

from django.conf import settings

from web.currencies import CURRENCIES

from .checks import Limits
from .providers import HTTP_PROVIDERS, RateProvider, StaticProvider


@dataclass(frozen=True, slots=True)
class RatesConfig:
    currencies: tuple[str, ...]
    limits: Limits
    breaker_failures: int
    breaker_cooldown: timedelta

    @classmethod
    def from_settings(cls) -> RatesConfig:
        return cls(
            currencies=tuple(settings.BITCACHE_RATES_CURRENCIES or CURRENCIES),
            limits=Limits(
                max_age=timedelta(seconds=settings.BITCACHE_RATES_MAX_AGE_SECONDS),
                max_jump=Decimal(settings.BITCACHE_RATES_MAX_JUMP_FACTOR),
            ),
            breaker_failures=settings.BITCACHE_RATES_BREAKER_FAILURES,
            breaker_cooldown=timedelta(seconds=settings.BITCACHE_RATES_BREAKER_COOLDOWN_SECONDS),
        )


def providers_from_settings() -> list[RateProvider]:
    """The providers BITCACHE_RATES names, in its order."""
    providers: list[RateProvider] = []
    for name in settings.BITCACHE_RATES:
        if name == "static":
            providers.append(StaticProvider(settings.BITCACHE_RATES_STATIC))
        else:
            providers.append(
                HTTP_PROVIDERS[name](
                    # Tests point providers at a local server; production uses their hosts.
                    base_url=settings.BITCACHE_RATES_BASE_URLS.get(name),
                    timeout=settings.BITCACHE_RATES_TIMEOUT_SECONDS,
                )
            )
    return providers
