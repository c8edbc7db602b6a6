"""BIP32 extended public keys and public child derivation (CKDpub), on libsecp256k1.

Ours rather than bitcoinlib's: bitcoinlib 0.7.10 silently derives a hardened step of a
public key as if it were unhardened (wrong addresses, no error), and its pure-Python curve
maths makes about 600 addresses a second; coincurve is libsecp256k1, audited and fast.
"""

from __future__ import annotations

import hmac
from dataclasses import dataclass, field

import coincurve

from btc.addresses import hash160

HARDENED = 0x80000000
SERIALIZED_LENGTH = 78  # version 4, depth 1, parent fingerprint 4, child 4, chain code 32, key 33


class InvalidKeyData(ValueError):
    """Bytes that are not a usable BIP32 public key (never quotes them)."""


@dataclass(frozen=True, slots=True)
class ExtendedPublicKey:
    depth: int
    parent_fingerprint: bytes
    child_number: int
    chain_code: bytes
    key: bytes  # compressed SEC point, 33 bytes
    # Parsing the point is the slow part of derivation: done once, here, which also proves
    # the key is on the curve.
    _point: coincurve.PublicKey = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if len(self.key) != 33 or self.key[0] not in (2, 3):
            raise InvalidKeyData("not a compressed public key")
        try:
            point = coincurve.PublicKey(self.key)
        except ValueError:
            raise InvalidKeyData("not a point on secp256k1") from None
        object.__setattr__(self, "_point", point)

    def __reduce__(self) -> tuple[type[ExtendedPublicKey], tuple[int, bytes, int, bytes, bytes]]:
        # The libsecp256k1 point cannot be pickled or deep-copied: rebuild it from the bytes.
        fields = (self.depth, self.parent_fingerprint, self.child_number, self.chain_code)
        return ExtendedPublicKey, (*fields, self.key)

    @classmethod
    def from_payload(cls, payload: bytes) -> ExtendedPublicKey:
        """The key in a 78-byte BIP32 serialisation (its 4 version bytes are the caller's)."""
        if len(payload) != SERIALIZED_LENGTH:
            raise InvalidKeyData("wrong length")
        depth = payload[4]
        parent_fingerprint = payload[5:9]
        child_number = int.from_bytes(payload[9:13], "big")
        if depth == 0 and (parent_fingerprint != b"\0\0\0\0" or child_number != 0):
            raise InvalidKeyData("a master key cannot have a parent")
        return cls(depth, parent_fingerprint, child_number, payload[13:45], payload[45:])

    def serialize(self, version: bytes) -> bytes:
        return (
            version
            + bytes([self.depth])
            + self.parent_fingerprint
            + self.child_number.to_bytes(4, "big")
            + self.chain_code
            + self.key
        )

    @property
    def fingerprint(self) -> bytes:
        return hash160(self.key)[:4]

    def child_key(self, index: int) -> bytes:
        """The compressed public key of unhardened child `index`: the per-address hot path."""
        return self._derive(index)[0].format()

    def child(self, index: int) -> ExtendedPublicKey:
        point, chain_code = self._derive(index)
        return ExtendedPublicKey(
            self.depth + 1, self.fingerprint, index, chain_code, point.format()
        )

    def _derive(self, index: int) -> tuple[coincurve.PublicKey, bytes]:
        if not 0 <= index < HARDENED:
            raise ValueError("a public key can only derive unhardened children (0 to 2**31-1)")
        digest = hmac.digest(self.chain_code, self.key + index.to_bytes(4, "big"), "sha512")
        # coincurve raises ValueError if the tweak is not below the curve order or lands on
        # infinity: BIP32 says skip such an index, but the odds are below 1 in 2**127.
        return self._point.add(digest[:32]), digest[32:]


def format_step(step: int) -> str:
    """A derivation step as text, hardened ones marked "h" (the BIP380 canonical form)."""
    return f"{step - HARDENED}h" if step >= HARDENED else str(step)
