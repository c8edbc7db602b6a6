"""Base58Check (the encoding of xpubs and legacy addresses).

Written here rather than borrowed because bitcoinlib does not verify the checksum of
extended keys, and a mistyped key must be refused, not silently turned into another key.
"""

from __future__ import annotations

import hashlib

ALPHABET = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"
_DIGITS = {char: value for value, char in enumerate(ALPHABET)}


class Base58Error(ValueError):
    """Not Base58, or the checksum does not match (never quotes the input)."""


def checksum(payload: bytes) -> bytes:
    return hashlib.sha256(hashlib.sha256(payload).digest()).digest()[:4]


def encode_check(payload: bytes) -> str:
    data = payload + checksum(payload)
    number = int.from_bytes(data, "big")
    digits = []
    while number:
        number, remainder = divmod(number, 58)
        digits.append(ALPHABET[remainder])
    # Each leading zero byte is written as a "1": the number alone would lose them.
    zeros = len(data) - len(data.lstrip(b"\0"))
    return "1" * zeros + "".join(reversed(digits))


def decode(text: str) -> bytes:
    """The bytes of a Base58 string, checksum included."""
    number = 0
    for char in text:
        digit = _DIGITS.get(char)
        if digit is None:
            raise Base58Error("not Base58")
        number = number * 58 + digit
    zeros = len(text) - len(text.lstrip("1"))
    return b"\0" * zeros + number.to_bytes((number.bit_length() + 7) // 8, "big")


def verify_checksum(data: bytes) -> bytes:
    """The payload of decoded Base58Check bytes, once its 4-byte checksum is verified."""
    payload, check = data[:-4], data[-4:]
    if len(data) < 5 or checksum(payload) != check:
        raise Base58Error("Base58Check checksum mismatch")
    return payload
