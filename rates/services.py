"""Refreshing the rate table: the only code that talks to rate providers."""

from __future__ import annotations

import logging
import statistics
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from .checks import Refused, checked_rate
from .config import RatesConfig
from .http import RateProviderError
from .models import ProviderCircuit, Rate
from .providers import RateProvider

log = logging.getLogger(__name__)

_PLACES = Decimal("0.00000001")


@dataclass
class RefreshReport:
    answered: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)  # circuit open
    refused: int = 0
    updated: list[str] = field(default_factory=list)


def rates_refresh(
    *, providers: Sequence[RateProvider], now: datetime, config: RatesConfig
) -> RefreshReport:
    """Ask every provider whose circuit is closed, check each answer, and store per
    currency the median of the accepted ones. A currency nobody priced keeps its old
    row, which goes stale by itself (rates.selectors.rate_now)."""
    report = RefreshReport()
    previous = _fresh_medians(now, config)
    accepted: dict[str, list[tuple[str, Decimal]]] = {}
    for provider in providers:
        circuit, _ = ProviderCircuit.objects.get_or_create(provider=provider.name)
        if circuit.is_open(now):
            report.skipped.append(provider.name)
            continue
        try:
            quotes = provider.fetch(config.currencies)
        except RateProviderError as exc:
            log.warning("rates: %s failed: %s", provider.name, exc)
            circuit.record_failure(
                str(exc),
                now=now,
                threshold=config.breaker_failures,
                cooldown=config.breaker_cooldown,
            )
            report.failed.append(provider.name)
            continue
        circuit.record_success()
        report.answered.append(provider.name)
        for code in provider.prices(config.currencies):
            try:
                rate = checked_rate(
                    quotes.get(code), now=now, previous=previous.get(code), limits=config.limits
                )
            except Refused as refusal:
                log.warning("rates: refused %s %s: %s", provider.name, code, refusal)
                report.refused += 1
                continue
            accepted.setdefault(code, []).append((provider.name, rate))
    for code, answers in accepted.items():
        median = statistics.median(rate for _, rate in answers).quantize(_PLACES)
        Rate.objects.update_or_create(
            currency=code,
            defaults={
                "rate": median,
                "sources": sorted(name for name, _ in answers),
                "fetched_at": now,
            },
        )
        report.updated.append(code)
    return report


def _fresh_medians(now: datetime, config: RatesConfig) -> dict[str, Decimal]:
    """The previous medians the jump check compares against.

    Only fresh ones: after an outage longer than the staleness limit the market may
    really have moved that far, and comparing with a stale figure would refuse every
    new price for good.
    """
    since = now - config.limits.max_age
    return dict(Rate.objects.filter(fetched_at__gte=since).values_list("currency", "rate"))
