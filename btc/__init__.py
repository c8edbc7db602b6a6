"""Watch-only wallet keys: validate what a creator pastes, and derive their tip addresses.

Everything money depends on is checked here rather than trusted to bitcoinlib 0.7.10,
which skips the extended-key checksum, accepts private keys and seed words, derives
hardened steps of public keys wrongly and gets taproot addresses wrong (no BIP341 tweak).

    key = parse_key(text, network="mainnet")   # WatchKey, or raises KeyRefused
    key.address(0)                            # first receive address
"""

from btc.addresses import ScriptType
from btc.errors import KeyRefused
from btc.parsing import parse_key
from btc.watch_key import DerivedAddress, WatchKey

__all__ = ["DerivedAddress", "KeyRefused", "ScriptType", "WatchKey", "parse_key"]
