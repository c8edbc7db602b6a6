"""The published BIP44/49/84/86 vectors (a copy of the shared bip-derivation.json), and
test keys made from them with embit, independently of the code under test."""

from __future__ import annotations

import json
from pathlib import Path

from embit import base58
from embit.bip32 import HDKey

VECTORS = json.loads((Path(__file__).parent / "bip-derivation.json").read_text())
KEYS = VECTORS["keys"]
DESCRIPTORS = VECTORS["descriptors"]
MUST_REFUSE = VECTORS["must_refuse"]

ZPUB, YPUB, XPUB = (vector["key"] for vector in KEYS)
WPKH_DESCRIPTOR, TR_DESCRIPTOR = (vector["descriptor"] for vector in DESCRIPTORS)
MASTER_XPRV = MUST_REFUSE["private_master_key"]
ACCOUNT_XPUBS = {
    # The account keys of the vectors, as the xpubs descriptors are written with.
    "p2pkh": XPUB,
    "p2sh-p2wpkh": HDKey.from_string(YPUB).to_string(version=bytes.fromhex("0488b21e")),
    "p2wpkh": HDKey.from_string(ZPUB).to_string(version=bytes.fromhex("0488b21e")),
    "p2tr": TR_DESCRIPTOR.split("]")[1].split("/")[0],
}

VERSION_BYTES = {
    "xpub": "0488b21e", "ypub": "049d7cb2", "zpub": "04b24746",
    "tpub": "043587cf", "upub": "044a5262", "vpub": "045f1cf6",
    "xprv": "0488ade4", "yprv": "049d7878", "zprv": "04b2430c",
    "tprv": "04358394", "uprv": "044a4e28", "vprv": "045f18bc",
    "Ypub": "0295b43f", "Zpub": "02aa7ed3", "Vpub": "02575483",
}  # fmt: skip


def with_version(key: str, prefix: str) -> str:
    """The same key data under another prefix, e.g. the vectors' zpub as a vpub."""
    payload = base58.decode_check(key)
    return base58.encode_check(bytes.fromhex(VERSION_BYTES[prefix]) + payload[4:])


def with_payload_bytes(key: str, offset: int, replacement: bytes) -> str:
    """The key re-encoded, with a valid checksum, after overwriting some of its bytes."""
    payload = bytearray(base58.decode_check(key))
    payload[offset : offset + len(replacement)] = replacement
    return base58.encode_check(bytes(payload))


def master_xpub() -> str:
    """The public master key of the vectors' wallet (its private key is MASTER_XPRV)."""
    return HDKey.from_string(MASTER_XPRV).to_public().to_string()
