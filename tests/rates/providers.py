"""The rate providers' public APIs on 127.0.0.1, answering with recorded response shapes.

fixtures/*.json follow each provider's documented format (Kraken Ticker, Bitstamp
v2 ticker, Coinbase v2 exchange-rates, CoinGecko simple/price), with prices from
late November 2024 and their timestamps at RECORDED_AT.
"""

from __future__ import annotations

import copy
import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

from tests.chain.servers import Reply, Request, as_json, text

FIXTURES = Path(__file__).parent / "fixtures"
RECORDED_AT = datetime.fromtimestamp(1732860000, tz=UTC)  # Bitstamp's "timestamp" in the files


def recorded(name: str) -> Any:
    return json.loads((FIXTURES / f"{name}.json").read_text())


class ProvidersApp:
    """All four providers' routes; `answers` may be edited by a test to change one."""

    def __init__(self) -> None:
        self.answers: dict[str, Any] = {
            "kraken": recorded("kraken_ticker"),
            "coinbase": recorded("coinbase_exchange_rates"),
            "coingecko": recorded("coingecko_simple_price"),
            **{
                f"bitstamp_{pair}": recorded(f"bitstamp_ticker_{pair}")
                for pair in ("btcusd", "btceur", "btcgbp")
            },
        }

    def __call__(self, request: Request) -> Reply:
        url = urlsplit(request.path)
        query = {key: values[0] for key, values in parse_qs(url.query).items()}
        if url.path == "/0/public/Ticker":
            return as_json(self._kraken(query["pair"].split(",")))
        if url.path.startswith("/api/v2/ticker/"):
            pair = url.path.removeprefix("/api/v2/ticker/").strip("/")
            answer = self.answers.get(f"bitstamp_{pair}")
            return as_json(answer) if answer else as_json({"errors": [], "code": "404"}, 404)
        if url.path == "/v2/exchange-rates" and query.get("currency") == "BTC":
            return as_json(self.answers["coinbase"])
        if url.path == "/api/v3/simple/price" and query.get("ids") == "bitcoin":
            return as_json(self._coingecko(query))
        return text("not found", 404)

    def _kraken(self, pairs: list[str]) -> dict[str, Any]:
        answer = copy.deepcopy(self.answers["kraken"])
        if answer["error"]:
            return answer
        keep = {f"X{pair[:3]}Z{pair[3:]}" for pair in pairs} | set(pairs)
        answer["result"] = {key: value for key, value in answer["result"].items() if key in keep}
        return answer

    def _coingecko(self, query: dict[str, str]) -> dict[str, Any]:
        prices = self.answers["coingecko"]["bitcoin"]
        wanted = query["vs_currencies"].split(",")
        answer = {code: prices[code] for code in wanted if code in prices}
        if query.get("include_last_updated_at") == "true":
            answer["last_updated_at"] = prices["last_updated_at"]
        return {"bitcoin": answer}
