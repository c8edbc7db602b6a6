"""Extended-key version bytes (BIP32 and SLIP-132): what a key's prefix says about it.

The prefix picks the script type (x/t = p2pkh, y/u = p2sh-p2wpkh, z/v = p2wpkh), the network
family, and whether the key is private. Descriptors carry the script type themselves and
only ever use the xpub/tpub prefix.
"""

from __future__ import annotations

from dataclasses import dataclass

from btc import base58
from btc.addresses import ScriptType
from btc.bip32 import SERIALIZED_LENGTH, ExtendedPublicKey, InvalidKeyData
from btc.errors import KeyRefused, _


@dataclass(frozen=True, slots=True)
class KeyVersion:
    # None for the multisig prefixes (Ypub, Zpub, Upub, Vpub): Bitcache has no multisig.
    script_type: ScriptType | None
    is_test: bool
    is_private: bool


def _versions(
    is_private: bool, *rows: tuple[str, ScriptType | None, bool]
) -> dict[bytes, KeyVersion]:
    return {
        bytes.fromhex(hex_version): KeyVersion(script_type, is_test, is_private)
        for hex_version, script_type, is_test in rows
    }


VERSIONS: dict[bytes, KeyVersion] = {
    **_versions(
        False,
        ("0488b21e", ScriptType.P2PKH, False),  # xpub
        ("049d7cb2", ScriptType.P2SH_P2WPKH, False),  # ypub
        ("04b24746", ScriptType.P2WPKH, False),  # zpub
        ("0295b43f", None, False),  # Ypub
        ("02aa7ed3", None, False),  # Zpub
        ("043587cf", ScriptType.P2PKH, True),  # tpub
        ("044a5262", ScriptType.P2SH_P2WPKH, True),  # upub
        ("045f1cf6", ScriptType.P2WPKH, True),  # vpub
        ("024289ef", None, True),  # Upub
        ("02575483", None, True),  # Vpub
    ),
    **_versions(
        True,
        ("0488ade4", ScriptType.P2PKH, False),  # xprv
        ("049d7878", ScriptType.P2SH_P2WPKH, False),  # yprv
        ("04b2430c", ScriptType.P2WPKH, False),  # zprv
        ("0295b005", None, False),  # Yprv
        ("02aa7a99", None, False),  # Zprv
        ("04358394", ScriptType.P2PKH, True),  # tprv
        ("044a4e28", ScriptType.P2SH_P2WPKH, True),  # uprv
        ("045f18bc", ScriptType.P2WPKH, True),  # vprv
        ("024285b5", None, True),  # Uprv
        ("02575048", None, True),  # Vprv
    ),
}


def descriptor_version(*, is_test: bool) -> bytes:
    """The xpub or tpub version: the only prefixes a descriptor may use."""
    return bytes.fromhex("043587cf" if is_test else "0488b21e")


def read_extended_key(text: str) -> tuple[ScriptType, bool, ExtendedPublicKey]:
    """The script type, is-test-network flag and key of a pasted extended public key.

    Every check bitcoinlib skips is made here, each refusal saying what is wrong: the Base58
    checksum, a known public version, a parent-less master, and a point on the curve.
    """
    try:
        data = base58.decode(text)
    except base58.Base58Error:
        raise KeyRefused("garbage") from None
    if len(data) != SERIALIZED_LENGTH + 4:
        raise KeyRefused("garbage")
    try:
        payload = base58.verify_checksum(data)
    except base58.Base58Error:
        raise KeyRefused("bad_checksum") from None
    version = VERSIONS.get(payload[:4])
    if version is None:
        raise KeyRefused("garbage")
    # A zero byte before the key is how BIP32 serialises a private key, whatever the version.
    if version.is_private or payload[45] == 0:
        raise KeyRefused("private_key")
    script_type = version.script_type
    if script_type is None:
        raise KeyRefused(
            "unsupported",
            _(
                "That is a multisig key (Ypub, Zpub, Upub or Vpub). Bitcache supports single-key "
                "wallets only: paste the xpub, ypub or zpub of a single-key wallet."
            ),
        )
    try:
        key = ExtendedPublicKey.from_payload(payload)
    except InvalidKeyData:
        raise KeyRefused(
            "garbage",
            _(
                "That key is damaged: its checksum is right but the public key inside it is not "
                "valid. Export it from your wallet again."
            ),
        ) from None
    return script_type, version.is_test, key
