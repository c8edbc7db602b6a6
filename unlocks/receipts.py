"""Receipt codes: what a buyer keeps to get a fresh access link at /unlock/recover.

16 characters of Crockford's base32 (80 random bits), shown in groups of four.
The alphabet has no I, L, O or U, and reading a code back forgives case, spaces,
dashes and the letters people confuse with digits, so a code copied by hand works.
"""

from __future__ import annotations

import secrets

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
LENGTH = 16
GROUP = 4
_CONFUSED = str.maketrans({"I": "1", "L": "1", "O": "0"})
_IGNORED = str.maketrans("", "", " -\t")


def new_receipt_code() -> str:
    return "".join(secrets.choice(ALPHABET) for _ in range(LENGTH))


def format_receipt_code(code: str) -> str:
    """'ABCDEFGH…' -> 'ABCD-EFGH-…' for people to read and copy."""
    return "-".join(code[start : start + GROUP] for start in range(0, len(code), GROUP))


def normalize_receipt_code(text: str) -> str | None:
    """The stored form of a code as typed, or None if it cannot be one."""
    code = text.upper().translate(_IGNORED).translate(_CONFUSED)
    if len(code) != LENGTH or any(char not in ALPHABET for char in code):
        return None
    return code
