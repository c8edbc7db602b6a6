"""From a derived public key to the address a payer sends to, for each script type.

Taproot is done here with coincurve because bitcoinlib 0.7.10 skips the BIP341 tweak and
so derives taproot addresses nobody can spend from.
"""

from __future__ import annotations

import enum
import hashlib

import coincurve

from btc import base58
from btc.bech32 import encode_segwit_address
from btc.networks import Network


class ScriptType(enum.StrEnum):
    P2PKH = "p2pkh"
    P2SH_P2WPKH = "p2sh-p2wpkh"
    P2WPKH = "p2wpkh"
    P2TR = "p2tr"


def hash160(data: bytes) -> bytes:
    return hashlib.new("ripemd160", hashlib.sha256(data).digest()).digest()


def _tagged_hash(tag: str, data: bytes) -> bytes:
    tag_hash = hashlib.sha256(tag.encode()).digest()
    return hashlib.sha256(tag_hash + tag_hash + data).digest()


def taproot_output_key(public_key: bytes) -> bytes:
    """The x-only output key of a BIP86 key-path-only taproot output (BIP341 tweak, no script)."""
    internal_key = public_key[1:]
    # BIP340 keys are x-only: the internal point is the one with an even y coordinate.
    even_point = coincurve.PublicKey(b"\x02" + internal_key)
    return even_point.add(_tagged_hash("TapTweak", internal_key)).format()[1:]


def encode_address(script_type: ScriptType, public_key: bytes, network: Network) -> str:
    """The address paying to a 33-byte compressed public key."""
    match script_type:
        case ScriptType.P2PKH:
            return base58.encode_check(network.p2pkh_version + hash160(public_key))
        case ScriptType.P2SH_P2WPKH:
            redeem_script = b"\x00\x14" + hash160(public_key)
            return base58.encode_check(network.p2sh_version + hash160(redeem_script))
        case ScriptType.P2WPKH:
            return encode_segwit_address(network.bech32_hrp, 0, hash160(public_key))
        case ScriptType.P2TR:
            return encode_segwit_address(network.bech32_hrp, 1, taproot_output_key(public_key))
