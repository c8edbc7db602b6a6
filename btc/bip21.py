"""BIP21 payment URIs: bitcoin:<address>?amount=<BTC>&label=...&message=..."""

from __future__ import annotations

from urllib.parse import quote

from btc.money import format_btc


def bip21_uri(
    address: str, amount_sats: int | None = None, *, label: str = "", message: str = ""
) -> str:
    params = []
    if amount_sats:
        # BIP21 amounts are decimal BTC; format_btc never uses an exponent or a float.
        params.append(f"amount={format_btc(amount_sats)}")
    if label:
        params.append(f"label={quote(label, safe='')}")
    if message:
        params.append(f"message={quote(message, safe='')}")
    query = "&".join(params)
    return f"bitcoin:{address}" + (f"?{query}" if query else "")
