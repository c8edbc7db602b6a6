"""Why a pasted wallet key was refused, in words a creator can act on.

Messages are fixed text: they never quote the input, because the input may be a
private key or seed words that must not end up in a page, a log or an error report.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Literal


def _(message: str) -> str:
    """Marks a message for translation without translating it: this package has no Django.

    `makemessages` extracts these strings; the page that shows a refusal translates it
    (`creators.key_refusals.refusal_text`), in the language of the request.
    """
    return message


RefusalCode = Literal[
    "too_long",
    "empty",
    "seed_words",
    "private_key",
    "wrong_network",
    "bad_checksum",
    "bad_descriptor_checksum",
    "hardened_wildcard",
    "unsupported",
    "garbage",
]

EXPECTED = _(
    "Paste your wallet's extended public key (xpub, ypub or zpub; tpub, upub or vpub on test "
    "networks) or an output descriptor such as wpkh([fingerprint/84h/0h/0h]xpub…/<0;1>/*)."
)

DEFAULT_MESSAGES: dict[RefusalCode, str] = {
    "too_long": _("That is far too long to be a wallet key (the limit is 4096 characters)."),
    "empty": EXPECTED,
    "seed_words": _(
        "Those look like seed words (a recovery phrase). Anyone who has them can take your "
        "bitcoin, so never give them to any website, including this one; they were not stored. "
        "Paste your wallet's extended public key (xpub, ypub or zpub) instead."
    ),
    "private_key": _(
        "That is a private key: anyone who has it can spend your bitcoin. It was not stored. "
        "Paste your wallet's extended public key (xpub, ypub or zpub) instead. If you have "
        "shared this private key anywhere, move your funds to a new wallet."
    ),
    "wrong_network": _("That key is for a different bitcoin network than this site uses."),
    "bad_checksum": _(
        "That key's checksum does not match: a character was probably mistyped or lost while "
        "copying. Copy the key from your wallet again."
    ),
    "bad_descriptor_checksum": _(
        "The descriptor's checksum (the 8 characters after the #) does not match the "
        "descriptor: it was probably changed or mistyped. Copy it from your wallet again."
    ),
    "hardened_wildcard": _(
        "That descriptor asks for hardened derivation after the public key (a step ending in h "
        "or '), which only the private key can do. Use a descriptor ending in /0/* or /<0;1>/*."
    ),
    "unsupported": _(
        "Bitcache supports single-key wallets only: pkh(), sh(wpkh()), wpkh() and key-path "
        "tr() descriptors over one extended public key."
    ),
    "garbage": _(
        "That is not a wallet key Bitcache recognises. Paste your wallet's extended public key "
        "(xpub, ypub or zpub; tpub, upub or vpub on test networks) or an output descriptor such "
        "as wpkh([fingerprint/84h/0h/0h]xpub…/<0;1>/*)."
    ),
}


class KeyRefused(ValueError):
    """A pasted key that must not be used; `code` for programs, `message` for people.

    `message` is the English text, a translation catalogue key; `params` fill its
    `%(name)s` placeholders once it is translated.
    """

    def __init__(
        self, code: RefusalCode, message: str | None = None, params: Mapping[str, str] | None = None
    ) -> None:
        self.code: RefusalCode = code
        self.message: str = message or DEFAULT_MESSAGES[code]
        self.params: dict[str, str] = dict(params or {})
        super().__init__(self.message % self.params if self.params else self.message)
