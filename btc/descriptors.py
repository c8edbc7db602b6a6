"""Single-key output descriptors (BIP380-386): reading them, and writing the canonical form.

bitcoinlib has no descriptors. The subset here is what a single-key watch-only wallet
exports: pkh(), sh(wpkh()), wpkh() and key-path-only tr() over one xpub/tpub, with an
optional key origin, unhardened steps, an optional /<0;1> receive/change pair, then /*.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import reduce

from btc import base58
from btc.addresses import ScriptType
from btc.bip32 import HARDENED, ExtendedPublicKey, format_step
from btc.errors import KeyRefused, _
from btc.slip132 import descriptor_version, read_extended_key

# BIP380 checksum: a BCH code over the characters below, grouped so that most typos and
# case errors are caught.
_INPUT_CHARSET = (
    "0123456789()[],'/*abcdefgh@:$%{}"
    "IJKLMNOPQRSTUVWXYZ&+-.;<=>?!^_|~"
    'ijklmnopqrstuvwxyzABCDEFGH`#"\\ '
)
_INPUT_POSITIONS = {char: position for position, char in enumerate(_INPUT_CHARSET)}
_CHECKSUM_CHARSET = "qpzry9x8gf2tvdw0s3jn54khce6mua7l"
_GENERATOR = (0xF5DEE51989, 0xA9FDCA3312, 0x1BAB10E32D, 0x3706B1677A, 0x644D626FFD)

_WRAPPERS = {
    ScriptType.P2PKH: "pkh({})",
    ScriptType.P2SH_P2WPKH: "sh(wpkh({}))",
    ScriptType.P2WPKH: "wpkh({})",
    ScriptType.P2TR: "tr({})",
}
_UNWRAP = [
    (re.compile(re.escape(wrapper).replace(r"\{\}", "(.*)")), script_type)
    for script_type, wrapper in _WRAPPERS.items()
]
_ANY_FUNCTION = re.compile(r"[a-z_]+\(.*\)")
_KEY_EXPRESSION = re.compile(
    r"(?:\[(?P<fingerprint>[0-9a-fA-F]{8})(?P<origin>(?:/[0-9]+[hH']?)*)\])?"
    r"(?P<key>[0-9A-Za-z]+)"
    r"(?P<path>(?:/[^/]*)*)"
)
_UNHARDENED_STEP = re.compile(r"[0-9]+")
_HARDENED_STEP = re.compile(r"[0-9]+[hH']")
_RECEIVE_AND_CHANGE = "<0;1>"
_HEX = re.compile(r"[0-9a-fA-F]+")

_SINGLE_ADDRESS = _(
    "That descriptor names one fixed address. Bitcache gives every tip a new address, so the "
    "descriptor must end in /* (for example /0/* or /<0;1>/*)."
)
_HARDENED_AFTER_KEY = _(
    "That descriptor has a hardened step (ending in h or ') after the public key, which only "
    "the private key can derive. Put hardened steps in the key origin [...] and use /0/* or "
    "/<0;1>/* after the key."
)


@dataclass(frozen=True, slots=True)
class KeyOrigin:
    """Where the key sits in its wallet: the master key's fingerprint and the path from it."""

    fingerprint: bytes
    path: tuple[int, ...]


@dataclass(frozen=True, slots=True)
class Descriptor:
    script_type: ScriptType
    key: ExtendedPublicKey
    is_test: bool
    origin: KeyOrigin | None
    # Unhardened steps between the key and the receive/change split or the wildcard.
    steps: tuple[int, ...]
    # Ends in /<0;1>/*: receive addresses on branch 0 and change on branch 1.
    has_change_branch: bool

    def branch_key(self, branch: tuple[int, ...]) -> ExtendedPublicKey:
        return reduce(ExtendedPublicKey.child, self.steps + branch, self.key)

    def __str__(self) -> str:
        """The canonical form, checksum included: what Bitcache stores and shows."""
        origin = ""
        if self.origin is not None:
            path = "".join(f"/{format_step(step)}" for step in self.origin.path)
            origin = f"[{self.origin.fingerprint.hex()}{path}]"
        key = base58.encode_check(self.key.serialize(descriptor_version(is_test=self.is_test)))
        steps = "".join(f"/{step}" for step in self.steps)
        multipath = f"/{_RECEIVE_AND_CHANGE}" if self.has_change_branch else ""
        body = _WRAPPERS[self.script_type].format(f"{origin}{key}{steps}{multipath}/*")
        return f"{body}#{checksum(body)}"


def checksum(body: str) -> str:
    """The 8-character BIP380 checksum of a descriptor without its "#..."."""
    symbols: list[int] = []
    groups: list[int] = []
    for char in body:
        position = _INPUT_POSITIONS[char]
        symbols.append(position & 31)
        groups.append(position >> 5)
        if len(groups) == 3:
            symbols.append(groups[0] * 9 + groups[1] * 3 + groups[2])
            groups = []
    if len(groups) == 1:
        symbols.append(groups[0])
    elif len(groups) == 2:
        symbols.append(groups[0] * 3 + groups[1])
    polymod = _polymod([*symbols, 0, 0, 0, 0, 0, 0, 0, 0]) ^ 1
    return "".join(_CHECKSUM_CHARSET[(polymod >> (5 * (7 - i))) & 31] for i in range(8))


def _polymod(symbols: list[int]) -> int:
    result = 1
    for symbol in symbols:
        top = result >> 35
        result = (result & 0x7FFFFFFFF) << 5 ^ symbol
        for bit, generator in enumerate(_GENERATOR):
            if (top >> bit) & 1:
                result ^= generator
    return result


def parse_descriptor(text: str) -> Descriptor:
    """A single-key descriptor, its checksum verified if it has one; KeyRefused otherwise."""
    body, has_checksum, given_checksum = text.partition("#")
    if any(char not in _INPUT_POSITIONS for char in body):
        raise KeyRefused("garbage")
    if has_checksum and given_checksum != checksum(body):
        raise KeyRefused("bad_descriptor_checksum")
    for pattern, script_type in _UNWRAP:
        if match := pattern.fullmatch(body):
            return _parse_key_expression(script_type, match[1])
    if _ANY_FUNCTION.fullmatch(body):
        raise KeyRefused("unsupported")
    raise KeyRefused("garbage")


def _parse_key_expression(script_type: ScriptType, text: str) -> Descriptor:
    # Several keys, a script tree or a nested function: multisig or miniscript.
    if any(char in text for char in "(),{}"):
        raise KeyRefused("unsupported")
    match = _KEY_EXPRESSION.fullmatch(text)
    if match is None:
        raise KeyRefused("garbage")
    _refuse_raw_key(script_type, match["key"])
    key_script_type, is_test, key = read_extended_key(match["key"])
    if key_script_type is not ScriptType.P2PKH:
        raise KeyRefused(
            "unsupported",
            _(
                "Descriptors take xpub or tpub keys: the script type comes from the descriptor "
                "itself. Paste the ypub or zpub on its own instead, or export the descriptor again."
            ),
        )
    steps, has_change_branch = _parse_path(match["path"])
    origin = None
    if match["fingerprint"] is not None:
        origin = KeyOrigin(bytes.fromhex(match["fingerprint"]), _parse_origin(match["origin"]))
        _check_origin_matches_key(origin, key)
    return Descriptor(script_type, key, is_test, origin, steps, has_change_branch)


def _refuse_raw_key(script_type: ScriptType, key: str) -> None:
    """Refuse a key written in hex: a private key, or one public key with no addresses to derive."""
    if not _HEX.fullmatch(key) or len(key) not in (64, 66, 130):
        return
    # 64 hex digits are an x-only public key in tr(), and a private key anywhere else.
    if len(key) == 64 and script_type is not ScriptType.P2TR:
        raise KeyRefused("private_key")
    raise KeyRefused(
        "unsupported",
        _(
            "That descriptor holds a single public key, which pays every tip to the same address. "
            "Use your wallet's extended public key (xpub) descriptor instead."
        ),
    )


def _parse_path(path: str) -> tuple[tuple[int, ...], bool]:
    """The steps after the key and whether they end in /<0;1>, from a path ending in /*."""
    *steps, last = path.split("/")[1:] or [""]
    if last in ("*h", "*H", "*'"):
        raise KeyRefused("hardened_wildcard")
    if last != "*":
        raise KeyRefused("unsupported", _SINGLE_ADDRESS)
    has_change_branch = bool(steps) and steps[-1] == _RECEIVE_AND_CHANGE
    if has_change_branch:
        steps.pop()
    return tuple(_parse_step(step) for step in steps), has_change_branch


def _parse_step(step: str) -> int:
    if _HARDENED_STEP.fullmatch(step):
        raise KeyRefused("hardened_wildcard", _HARDENED_AFTER_KEY)
    if step.startswith("<"):
        raise KeyRefused(
            "unsupported",
            _("Bitcache reads one multipath step only: /<0;1>/* at the end (receive and change)."),
        )
    if not _UNHARDENED_STEP.fullmatch(step) or int(step) >= HARDENED:
        raise KeyRefused("garbage")
    return int(step)


def _parse_origin(path: str) -> tuple[int, ...]:
    steps = []
    for step in path.split("/")[1:]:
        hardened = step[-1] in "hH'"
        number = int(step[:-1] if hardened else step)
        if number >= HARDENED:
            raise KeyRefused("garbage")
        steps.append(number + HARDENED if hardened else number)
    return tuple(steps)


def _check_origin_matches_key(origin: KeyOrigin, key: ExtendedPublicKey) -> None:
    """Refuse an origin that cannot be this key's, so shown derivation paths are never wrong."""
    if len(origin.path) != key.depth or (origin.path and origin.path[-1] != key.child_number):
        raise KeyRefused(
            "garbage",
            _(
                "The key origin in [brackets] does not match the key after it: the path's length "
                "or last step differs from the key's own. Export the descriptor from your wallet "
                "again."
            ),
        )
