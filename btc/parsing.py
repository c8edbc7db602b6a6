"""parse_key: from whatever a creator pastes to a WatchKey, or a KeyRefused saying why not.

Secrets are looked for before anything else, so that a private key or seed words get the
message that matters ("never share this") rather than a parse error. Nothing here logs or
prints the input, and no error message quotes it.
"""

from __future__ import annotations

import re

from btc import base58
from btc.descriptors import Descriptor, parse_descriptor
from btc.errors import KeyRefused, _
from btc.networks import NETWORKS, Network, get_network
from btc.slip132 import read_extended_key
from btc.watch_key import WatchKey

MAX_INPUT_LENGTH = 4096
SEED_PHRASE_MIN_WORDS = 12

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
    if _is_seed_phrase(text):
        raise KeyRefused("seed_words")
    if _HEX_PRIVATE_KEY.fullmatch(text):
        raise KeyRefused("private_key")
    for run in _BASE58_RUN.findall(text):
        if _EXTENDED_PRIVATE_KEY.fullmatch(run) or _WIF.fullmatch(run):
            raise KeyRefused("private_key")


def _is_seed_phrase(text: str) -> bool:
    """Twelve or more words of letters only, allowing for numbering like "1." and commas.

    No BIP39 word list is needed: no valid key is made of words, and a phrase in another
    language or with a typo is just as secret.
    """
    words = [token.strip(".,;:()") for token in text.split()]
    words = [word for word in words if not word.isdigit()]
    return len(words) >= SEED_PHRASE_MIN_WORDS and all(word.isalpha() for word in words)


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
