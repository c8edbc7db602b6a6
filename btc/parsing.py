"""parse_key: from whatever a creator pastes to a WatchKey, or a KeyRefused saying why not.

Secrets are looked for before anything else, so that a private key or seed words get the
message that matters ("never share this") rather than a parse error. Nothing here logs or
prints the input, and no error message quotes it.
"""

from __future__ import annotations

import re
import unicodedata

from btc import base58
from btc.descriptors import Descriptor, parse_descriptor
from btc.errors import KeyRefused, _
from btc.networks import NETWORKS, Network, get_network
from btc.slip132 import read_extended_key
from btc.watch_key import WatchKey

MAX_INPUT_LENGTH = 4096
# Fewer than 12: a 12-word phrase missing up to three words is still a secret, as each
# missing word is only 11 bits to guess (and the checksum gives 4 of them back).
SEED_PHRASE_MIN_WORDS = 9

_BASE58_RUN = re.compile(r"[1-9A-HJ-NP-Za-km-z]+")
# xprv, yprv, zprv, tprv, uprv, vprv and the multisig Yprv, Zprv, Uprv, Vprv: matched on the
# prefix alone so that even a mistyped private key is recognised as one.
_EXTENDED_PRIVATE_KEY = re.compile(r"[xyztuvXYZUV]prv[1-9A-HJ-NP-Za-km-z]{20,}")
# Wallet Import Format: 5 or 9 (uncompressed), K, L or c (compressed), 51 or 52 characters.
_WIF = re.compile(r"[5KLc9][1-9A-HJ-NP-Za-km-z]{50,51}")
_HEX_PRIVATE_KEY = re.compile(r"(?:0x)?[0-9a-fA-F]{64}")
_SEGWIT_ADDRESS = re.compile(r"(?:bc|tb|bcrt)1[02-9ac-hj-np-z]{8,87}", re.IGNORECASE)
_ADDRESS_LENGTH = 25  # version byte, hash160, checksum
_DESCRIPTOR_CHARACTERS = frozenset("()[]/#")
# What people put between seed words, and between groups of a hex or base58 secret.
_WORD_SEPARATORS = re.compile(r"[\s,;\-\u2010-\u2015]+")
_WORD_PUNCTUATION = ".:()\"'"
# Cyrillic and Greek letters drawn like Latin ones, as a wallet, a font or a "helpful"
# keyboard may put them into a key: "xprv" with a Cyrillic "ha" is still a private key.
_LOOKALIKE_NAMES = {
    "CYRILLIC SMALL LETTER": {
        "A": "a", "IE": "e", "O": "o", "ER": "p", "ES": "c", "U": "y", "HA": "x",
        "BYELORUSSIAN-UKRAINIAN I": "i", "JE": "j", "DZE": "s", "KOMI DE": "d", "QA": "q",
        "WE": "w", "STRAIGHT U": "y",
    },
    "CYRILLIC CAPITAL LETTER": {
        "A": "A", "VE": "B", "IE": "E", "KA": "K", "EM": "M", "EN": "H", "O": "O", "ER": "P",
        "ES": "C", "TE": "T", "U": "Y", "HA": "X", "BYELORUSSIAN-UKRAINIAN I": "I", "JE": "J",
        "DZE": "S", "QA": "Q", "WE": "W",
    },
    "GREEK SMALL LETTER": {
        "ALPHA": "a", "IOTA": "i", "KAPPA": "k", "NU": "v", "OMICRON": "o", "RHO": "p",
        "UPSILON": "u", "CHI": "x",
    },
    "GREEK CAPITAL LETTER": {
        "ALPHA": "A", "BETA": "B", "EPSILON": "E", "ZETA": "Z", "ETA": "H", "IOTA": "I",
        "KAPPA": "K", "MU": "M", "NU": "N", "OMICRON": "O", "RHO": "P", "TAU": "T",
        "UPSILON": "Y", "CHI": "X",
    },
}  # fmt: skip
_LATIN_LOOKALIKES = str.maketrans(
    {
        unicodedata.lookup(f"{script} {name}"): latin
        for script, letters in _LOOKALIKE_NAMES.items()
        for name, latin in letters.items()
    }
)


def parse_key(text: str, *, network: str | None = "mainnet") -> WatchKey:
    """The watch-only key in `text` (an extended public key or a descriptor).

    `network` is the site's network: a key for another one is refused. With None, the key
    names its own network (a test-network key counts as testnet).
    """
    site_network = None if network is None else get_network(network)
    # Before any parsing, so that no work is spent on (or a regex run over) a huge paste.
    if len(text) > MAX_INPUT_LENGTH:
        raise KeyRefused("too_long")
    text = text.strip()
    if not text:
        raise KeyRefused("empty")
    _refuse_secrets(text)
    if _DESCRIPTOR_CHARACTERS.isdisjoint(text):
        descriptor = _read_bare_extended_key(text)
    else:
        descriptor = parse_descriptor(text)
    return WatchKey.from_descriptor(descriptor, _key_network(descriptor, site_network))


def _refuse_secrets(text: str) -> None:
    """Refuse a secret however it was pasted: the checks read the text as a person sees it."""
    text = _as_seen(text)
    # Also with the gaps taken out: hex or base58 copied in groups ("0c28 fca3 …"). Before
    # the seed words, which a key cut into short lines would otherwise pass for.
    joined = _WORD_SEPARATORS.sub("", text)
    for candidate in (text, joined):
        if _HEX_PRIVATE_KEY.fullmatch(candidate):
            raise KeyRefused("private_key")
        for run in _BASE58_RUN.findall(candidate):
            if _EXTENDED_PRIVATE_KEY.fullmatch(run) or _WIF.fullmatch(run):
                raise KeyRefused("private_key")
    if _is_seed_phrase(text):
        raise KeyRefused("seed_words")


def _as_seen(text: str) -> str:
    """`text` as it reads on screen: full-width and other compatibility forms folded (NFKC),
    invisible characters (zero-width spaces, joiners, soft hyphens) dropped and Latin
    look-alikes read as the Latin letters they pass for."""
    folded = unicodedata.normalize("NFKC", text)
    visible = "".join(char for char in folded if unicodedata.category(char) != "Cf")
    return visible.translate(_LATIN_LOOKALIKES)


def _is_seed_phrase(text: str) -> bool:
    """SEED_PHRASE_MIN_WORDS or more words of letters only, on lines holding nothing else.

    Words may be separated by spaces, new lines, commas or dashes, and numbered ("1.",
    "2)"). Lines that are not all words (a passphrase, a label, a key) are left out
    rather than spoiling the phrase. No BIP39 word list is needed: no valid key is made
    of words, and a phrase in another language or with a typo is just as secret.
    """
    words = 0
    for line in text.splitlines():
        tokens = [token.strip(_WORD_PUNCTUATION) for token in _WORD_SEPARATORS.split(line)]
        tokens = [token for token in tokens if token and not token.isdigit()]
        if tokens and all(token.isalpha() for token in tokens):
            words += len(tokens)
    return words >= SEED_PHRASE_MIN_WORDS


def _read_bare_extended_key(text: str) -> Descriptor:
    """The descriptor an xpub/ypub/zpub stands for: its prefix's script type, /<0;1>/*."""
    if _is_address(text):
        raise KeyRefused(
            "unsupported",
            _(
                "That is a single bitcoin address. Bitcache gives every tip a new address, so it "
                "needs your wallet's extended public key (xpub, ypub or zpub) instead."
            ),
        )
    script_type, is_test, key = read_extended_key(text)
    return Descriptor(
        script_type,
        key,
        is_test,
        origin=None,
        steps=(),
        has_change_branch=True,
    )


def _is_address(text: str) -> bool:
    if _SEGWIT_ADDRESS.fullmatch(text):
        return True
    try:
        data = base58.decode(text)
        if len(data) != _ADDRESS_LENGTH:
            return False
        base58.verify_checksum(data)
    except base58.Base58Error:
        return False
    return True


def _key_network(descriptor: Descriptor, site_network: Network | None) -> Network:
    if site_network is None:
        return NETWORKS["testnet" if descriptor.is_test else "mainnet"]
    if descriptor.is_test == site_network.is_test:
        return site_network
    params: dict[str, str] = {}
    if descriptor.is_test:
        message = _(
            "That key is for a test network (tpub, upub or vpub), but this site uses real "
            "bitcoin (mainnet). Use a mainnet key: xpub, ypub or zpub."
        )
    else:
        message = _(
            "That is a mainnet key (real bitcoin), but this site runs on %(network)s. "
            "Use a key from a %(network)s wallet: tpub, upub or vpub."
        )
        params = {"network": site_network.name}
    raise KeyRefused("wrong_network", message, params)
