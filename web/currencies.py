"""Fiat currencies we know: ISO 4217 codes with their minor-unit digits.

The digits decide how a fiat amount is rounded (rates.money): two for most
currencies, none for the yen or the won, three for the Kuwaiti dinar.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Currency:
    code: str
    minor_units: int
    name: str


_TABLE = [
    ("USD", 2, "US dollar"),
    ("EUR", 2, "Euro"),
    ("GBP", 2, "Pound sterling"),
    ("CHF", 2, "Swiss franc"),
    ("JPY", 0, "Japanese yen"),
    ("CAD", 2, "Canadian dollar"),
    ("AUD", 2, "Australian dollar"),
    ("NZD", 2, "New Zealand dollar"),
    ("CNY", 2, "Chinese yuan"),
    ("HKD", 2, "Hong Kong dollar"),
    ("SGD", 2, "Singapore dollar"),
    ("TWD", 2, "New Taiwan dollar"),
    ("KRW", 0, "South Korean won"),
    ("INR", 2, "Indian rupee"),
    ("IDR", 2, "Indonesian rupiah"),
    ("THB", 2, "Thai baht"),
    ("PHP", 2, "Philippine peso"),
    ("MYR", 2, "Malaysian ringgit"),
    ("VND", 0, "Vietnamese dong"),
    ("SEK", 2, "Swedish krona"),
    ("NOK", 2, "Norwegian krone"),
    ("DKK", 2, "Danish krone"),
    ("ISK", 0, "Icelandic krona"),
    ("PLN", 2, "Polish zloty"),
    ("CZK", 2, "Czech koruna"),
    ("HUF", 2, "Hungarian forint"),
    ("RON", 2, "Romanian leu"),
    ("TRY", 2, "Turkish lira"),
    ("UAH", 2, "Ukrainian hryvnia"),
    ("ILS", 2, "Israeli new shekel"),
    ("AED", 2, "UAE dirham"),
    ("SAR", 2, "Saudi riyal"),
    ("KWD", 3, "Kuwaiti dinar"),
    ("BHD", 3, "Bahraini dinar"),
    ("ZAR", 2, "South African rand"),
    ("NGN", 2, "Nigerian naira"),
    ("KES", 2, "Kenyan shilling"),
    ("EGP", 2, "Egyptian pound"),
    ("BRL", 2, "Brazilian real"),
    ("MXN", 2, "Mexican peso"),
    ("ARS", 2, "Argentine peso"),
    ("CLP", 0, "Chilean peso"),
    ("COP", 2, "Colombian peso"),
    ("PEN", 2, "Peruvian sol"),
]

CURRENCIES: dict[str, Currency] = {
    code: Currency(code, digits, name) for code, digits, name in _TABLE
}


def currency(code: str) -> Currency:
    """The currency for an ISO 4217 code; KeyError for one we do not know."""
    return CURRENCIES[code.upper()]
