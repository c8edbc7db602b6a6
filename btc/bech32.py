"""Segwit address encoding: bech32 for version 0 (BIP173), bech32m for version 1+ (BIP350).

Only encoding is needed: Bitcache derives addresses, it never reads them from users.
"""

from __future__ import annotations

from functools import reduce
from operator import xor

_CHARSET = "qpzry9x8gf2tvdw0s3jn54khce6mua7l"
_GENERATOR = (0x3B6A57B2, 0x26508E6D, 0x1EA119FA, 0x3D4233DD, 0x2A1462B3)
_BECH32_CONSTANT = 1
_BECH32M_CONSTANT = 0x2BC830A3


# The XOR of the generators selected by each 5-bit value of the checksum's top bits:
# one lookup instead of five tests per character, as this runs for every derived address.
_GENERATOR_SUMS = [
    reduce(xor, (g for bit, g in enumerate(_GENERATOR) if top >> bit & 1), 0) for top in range(32)
]


def _polymod(values: list[int]) -> int:
    checksum = 1
    for value in values:
        checksum = (checksum & 0x1FFFFFF) << 5 ^ value ^ _GENERATOR_SUMS[checksum >> 25]
    return checksum


def _expand_hrp(hrp: str) -> list[int]:
    return [ord(char) >> 5 for char in hrp] + [0] + [ord(char) & 31 for char in hrp]


def _to_5_bit_groups(data: bytes) -> list[int]:
    """Regroup 8-bit bytes into 5-bit values, zero-padding the last group."""
    number = int.from_bytes(data, "big")
    padding = -len(data) * 8 % 5
    count = (len(data) * 8 + padding) // 5
    number <<= padding
    return [(number >> (5 * (count - 1 - i))) & 31 for i in range(count)]


def encode_segwit_address(hrp: str, witness_version: int, program: bytes) -> str:
    data = [witness_version, *_to_5_bit_groups(program)]
    constant = _BECH32_CONSTANT if witness_version == 0 else _BECH32M_CONSTANT
    polymod = _polymod(_expand_hrp(hrp) + data + [0] * 6) ^ constant
    checksum = [(polymod >> (5 * (5 - i))) & 31 for i in range(6)]
    return hrp + "1" + "".join(_CHARSET[value] for value in data + checksum)
