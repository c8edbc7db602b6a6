"""Fiat amounts as a reader of the page's language writes them (CLDR, through Babel):
`1 234,56 €` in French, `€1,234.56` in English, `￥1,500` in Japanese.

A FiatAmount prints itself in the active language, so templates show `{{ amount }}`
and the same object serialises as plain figures (`amount`, `currency`) for the API
and the CSV export, which are read by programs, not people.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache

from babel import Locale, UnknownLocaleError
from babel.numbers import format_currency, get_currency_name
from django.conf import settings
from django.utils.translation import get_language, to_locale

from web.currencies import CURRENCIES


@lru_cache(maxsize=64)
def _locale(language: str) -> Locale:
    try:
        return Locale.parse(to_locale(language))
    except (UnknownLocaleError, ValueError):
        return Locale.parse("en")


def _active_locale(language: str | None = None) -> Locale:
    return _locale(language or get_language() or settings.LANGUAGE_CODE)


def currency_choices() -> list[tuple[str, str]]:
    """The currencies we price, named in the active language ("EUR (euro)"), by code."""
    locale = _active_locale()
    return [(code, f"{code} ({get_currency_name(code, locale=locale)})") for code in CURRENCIES]


def format_fiat(amount: Decimal, currency: str, language: str | None = None) -> str:
    """`amount` of `currency` written for `language` (default: the active one), with the
    currency's usual digits: no cents for yen, three places for dinars."""
    return format_currency(amount, currency, locale=_active_locale(language))


@dataclass(frozen=True, slots=True)
class FiatAmount:
    amount: Decimal
    currency: str

    def __str__(self) -> str:
        return format_fiat(self.amount, self.currency)

    def as_dict(self) -> dict[str, str]:
        """For programs: the figure as a string (exact, never a float) and the ISO code."""
        return {"amount": str(self.amount), "currency": self.currency}
