"""Rate providers: who we ask for the price of a bitcoin, and how to read their answers.

Chosen because each publishes a documented, keyless public endpoint and prices
from its own market, so their median is not one source counted several times:

- Kraken (`/0/public/Ticker`): a large exchange with BTC order books in seven fiat
  currencies, all in one request. https://docs.kraken.com/api/docs/rest-api/get-ticker-information
- Bitstamp (`/api/v2/ticker/{pair}/`): the oldest major exchange; USD, EUR and GBP
  books, and each answer carries its own timestamp.
  https://www.bitstamp.net/api/#tag/Tickers/operation/GetCurrencyPairTicker
- Coinbase (`/v2/exchange-rates?currency=BTC`): one request, every currency we know,
  so the currencies no exchange here trades still get a price.
  https://docs.cdp.coinbase.com/coinbase-app/docs/api-exchange-rates
- CoinGecko (`/api/v3/simple/price`): an aggregator over many exchanges with a
  `last_updated_at` per answer; its keyless tier is tightly rate-limited, so it is
  offered but not in the recommended set. https://docs.coingecko.com/reference/simple-price

A provider only reads the shape of its answer. Whether a value is a usable price
(a number, positive, fresh, no absurd jump) is decided in one place for all of them:
rates/checks.py. `static` answers fixed values from settings: offline and in tests.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from .http import RateProviderError, get_json


@dataclass(frozen=True, slots=True)
class RawQuote:
    """A provider's answer for one currency, as it came: checked later, never trusted here."""

    value: object
    # Seconds since the epoch as the provider wrote it, or None when it gives no time
    # (then the answer is as fresh as the request).
    timestamp: object = None


class RateProvider(ABC):
    name: str
    default_base_url: str = ""
    # The currencies this provider prices; None: any it is asked for.
    currencies: frozenset[str] | None = None

    def __init__(self, *, base_url: str | None = None, timeout: float = 5.0) -> None:
        self.base_url = (base_url or self.default_base_url).rstrip("/")
        self.timeout = timeout

    def prices(self, wanted: Collection[str]) -> Collection[str]:
        """Of `wanted`, the currencies this provider is expected to answer."""
        return [code for code in wanted if self.currencies is None or code in self.currencies]

    @abstractmethod
    def fetch(self, wanted: Collection[str]) -> dict[str, RawQuote]:
        """Quotes for the currencies of `wanted` it prices; RateProviderError if it failed."""

    def get(self, path: str, **query: str) -> Any:
        url = self.base_url + path + (f"?{urlencode(query)}" if query else "")
        return get_json(url, timeout=self.timeout, label=self.name)

    def shape_error(self, problem: str) -> RateProviderError:
        return RateProviderError(f"{self.name}: unexpected answer ({problem})")


class KrakenProvider(RateProvider):
    name = "kraken"
    default_base_url = "https://api.kraken.com"
    currencies = frozenset({"USD", "EUR", "GBP", "CAD", "JPY", "CHF", "AUD"})

    def fetch(self, wanted: Collection[str]) -> dict[str, RawQuote]:
        codes = self.prices(wanted)
        if not codes:
            return {}
        answer = self.get("/0/public/Ticker", pair=",".join(f"XBT{code}" for code in codes))
        if not isinstance(answer, dict) or not isinstance(answer.get("result"), dict):
            raise self.shape_error("no result object")
        if answer.get("error"):
            raise RateProviderError(f"kraken: {'; '.join(map(str, answer['error']))[:200]}")
        result = answer["result"]
        quotes = {}
        for code in codes:
            # Kraken names its older pairs with X/Z prefixes: XBTUSD comes back as XXBTZUSD.
            ticker = result.get(f"XXBTZ{code}") or result.get(f"XBT{code}")
            if isinstance(ticker, dict):
                # "c": the last trade closed, [price, lot volume].
                last = ticker.get("c")
                quotes[code] = RawQuote(last[0] if isinstance(last, list) and last else last)
        return quotes


class BitstampProvider(RateProvider):
    name = "bitstamp"
    default_base_url = "https://www.bitstamp.net"
    currencies = frozenset({"USD", "EUR", "GBP"})

    def fetch(self, wanted: Collection[str]) -> dict[str, RawQuote]:
        quotes = {}
        for code in self.prices(wanted):
            ticker = self.get(f"/api/v2/ticker/btc{code.lower()}/")
            if not isinstance(ticker, dict):
                raise self.shape_error("the ticker is not an object")
            if "last" in ticker:
                quotes[code] = RawQuote(ticker["last"], ticker.get("timestamp"))
        return quotes


class CoinbaseProvider(RateProvider):
    name = "coinbase"
    default_base_url = "https://api.coinbase.com"

    def fetch(self, wanted: Collection[str]) -> dict[str, RawQuote]:
        answer = self.get("/v2/exchange-rates", currency="BTC")
        data = answer.get("data") if isinstance(answer, dict) else None
        if not isinstance(data, dict) or not isinstance(data.get("rates"), dict):
            raise self.shape_error("no data.rates object")
        if data.get("currency") != "BTC":
            raise self.shape_error("rates are not for BTC")
        rates = data["rates"]
        return {code: RawQuote(rates[code]) for code in wanted if code in rates}


class CoinGeckoProvider(RateProvider):
    name = "coingecko"
    default_base_url = "https://api.coingecko.com"
    # Its documented vs_currencies (/simple/supported_vs_currencies) that we know.
    currencies = frozenset(
        {
            *("USD", "EUR", "GBP", "CHF", "JPY", "CAD", "AUD", "NZD", "CNY", "HKD", "SGD"),
            *("TWD", "KRW", "INR", "IDR", "THB", "PHP", "MYR", "VND", "SEK", "NOK", "DKK"),
            *("PLN", "CZK", "HUF", "TRY", "UAH", "ILS", "AED", "SAR", "KWD", "BHD", "ZAR"),
            *("NGN", "BRL", "MXN", "ARS", "CLP"),
        }
    )

    def fetch(self, wanted: Collection[str]) -> dict[str, RawQuote]:
        codes = self.prices(wanted)
        if not codes:
            return {}
        answer = self.get(
            "/api/v3/simple/price",
            ids="bitcoin",
            vs_currencies=",".join(code.lower() for code in codes),
            include_last_updated_at="true",
        )
        prices = answer.get("bitcoin") if isinstance(answer, dict) else None
        if not isinstance(prices, dict):
            raise self.shape_error("no bitcoin object")
        stamp = prices.get("last_updated_at")
        return {
            code: RawQuote(prices[code.lower()], stamp) for code in codes if code.lower() in prices
        }


class StaticProvider(RateProvider):
    """Fixed rates from settings (BITCACHE_RATES_STATIC): offline development and tests."""

    name = "static"

    def __init__(self, rates: Mapping[str, object]) -> None:
        super().__init__()
        self.rates = dict(rates)
        self.currencies = frozenset(self.rates)

    def fetch(self, wanted: Collection[str]) -> dict[str, RawQuote]:
        return {code: RawQuote(self.rates[code]) for code in wanted if code in self.rates}


HTTP_PROVIDERS: dict[str, type[RateProvider]] = {
    provider.name: provider
    for provider in (KrakenProvider, BitstampProvider, CoinbaseProvider, CoinGeckoProvider)
}
PROVIDER_NAMES = ("static", *HTTP_PROVIDERS)
