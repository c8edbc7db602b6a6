"""Each provider reads its real answer's shape from a local server; failures are errors."""

from __future__ import annotations

from decimal import Decimal

import pytest

from rates.http import RateProviderError
from rates.providers import (
    BitstampProvider,
    CoinbaseProvider,
    CoinGeckoProvider,
    KrakenProvider,
    RawQuote,
    StaticProvider,
)
from tests.chain.servers import LocalServer, Reply, text

from .providers import ProvidersApp


@pytest.fixture
def app():
    return ProvidersApp()


@pytest.fixture
def server(app):
    with LocalServer(app) as server:
        yield server


def test_kraken_gives_the_last_trade_of_each_pair_in_one_request(server):
    kraken = KrakenProvider(base_url=server.url, timeout=2)

    quotes = kraken.fetch(["USD", "EUR", "CHF", "SEK"])

    assert quotes == {
        "USD": RawQuote("97120.10000"),
        "EUR": RawQuote("92010.50000"),
        "CHF": RawQuote("85750.00000"),
    }
    assert server.paths() == ["/0/public/Ticker?pair=XBTUSD%2CXBTEUR%2CXBTCHF"]


def test_kraken_reports_its_error_list_as_a_failure(server, app):
    app.answers["kraken"] = {"error": ["EQuery:Unknown asset pair"], "result": {}}

    with pytest.raises(RateProviderError, match="EQuery:Unknown asset pair"):
        KrakenProvider(base_url=server.url, timeout=2).fetch(["USD"])


def test_bitstamp_asks_each_of_its_pairs_and_keeps_their_timestamps(server):
    quotes = BitstampProvider(base_url=server.url, timeout=2).fetch(["USD", "GBP", "JPY"])

    assert quotes == {
        "USD": RawQuote("97110", "1732860000"),
        "GBP": RawQuote("76540", "1732860000"),
    }
    assert server.paths() == ["/api/v2/ticker/btcusd/", "/api/v2/ticker/btcgbp/"]


def test_coinbase_prices_every_currency_from_one_table(server):
    quotes = CoinbaseProvider(base_url=server.url, timeout=2).fetch(["USD", "KWD", "VND", "XXX"])

    assert quotes == {
        "USD": RawQuote("97115.05"),
        "KWD": RawQuote("29867.6075"),
        "VND": RawQuote("2462236993.0"),
    }
    assert server.paths() == ["/v2/exchange-rates?currency=BTC"]


def test_coinbase_refuses_a_table_for_another_currency(server, app):
    app.answers["coinbase"]["data"]["currency"] = "ETH"

    with pytest.raises(RateProviderError, match="not for BTC"):
        CoinbaseProvider(base_url=server.url, timeout=2).fetch(["USD"])


def test_coingecko_reads_json_numbers_exactly_with_their_update_time(server):
    quotes = CoinGeckoProvider(base_url=server.url, timeout=2).fetch(["USD", "JPY"])

    assert quotes == {
        "USD": RawQuote(97131, 1732859990),
        "JPY": RawQuote(14698033, 1732859990),
    }
    assert server.requests[0].path == (
        "/api/v3/simple/price?ids=bitcoin&vs_currencies=usd%2Cjpy&include_last_updated_at=true"
    )


def test_coingecko_fractions_arrive_as_decimals_not_floats(server, app):
    app.answers["coingecko"]["bitcoin"]["usd"] = Decimal("97131.17")

    quotes = CoinGeckoProvider(base_url=server.url, timeout=2).fetch(["USD"])

    assert quotes["USD"].value == Decimal("97131.17")


@pytest.mark.parametrize(
    "reply",
    [
        Reply(503, b"upstream down", "text/plain"),
        text("<html>maintenance</html>"),
        Reply(200, b'{"data": {"rates": NaN}}'),
        Reply(200, b"[]"),
    ],
    ids=["http-503", "not-json", "nan", "wrong-shape"],
)
def test_a_provider_that_does_not_answer_usefully_fails(server, reply):
    server.fail_next(reply)

    with pytest.raises(RateProviderError, match="coinbase"):
        CoinbaseProvider(base_url=server.url, timeout=2).fetch(["USD"])


def test_a_provider_that_does_not_answer_in_time_fails(server):
    server.fail_next(Reply(delay=1.0))

    with pytest.raises(RateProviderError, match=r"no answer within 0\.2s"):
        CoinbaseProvider(base_url=server.url, timeout=0.2).fetch(["USD"])


def test_an_unreachable_provider_fails():
    with LocalServer(ProvidersApp()) as server:
        url = server.url
    with pytest.raises(RateProviderError, match=r"kraken at 127\.0\.0\.1"):
        KrakenProvider(base_url=url, timeout=1).fetch(["USD"])


def test_the_static_provider_answers_its_fixed_values_without_a_network():
    static = StaticProvider({"EUR": "90000", "USD": "100000"})

    assert static.fetch(["EUR", "GBP"]) == {"EUR": RawQuote("90000")}
    assert static.prices(["EUR", "GBP"]) == ["EUR"]
