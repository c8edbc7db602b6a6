"""Bitcoin's binary block and transaction serialization, read into the chain interface.

Esplora serves a whole block in one request only in this form (`GET /block/:hash/raw`),
so we read it ourselves: the header, every transaction (legacy or segwit, with the
witness left out of the txid as consensus requires) and each output's value and
address. The merkle root is recomputed and compared with the header, so a block
that was cut short or corrupted on the way cannot pass for a real one.

Input is untrusted: anything malformed raises MalformedData, never another
exception, and no length read from the data is trusted before the bytes are there.
"""

from __future__ import annotations

import hashlib
import struct

from btc import base58
from btc.bech32 import encode_segwit_address
from btc.blocks import Block, BlockHeader, MalformedData, Transaction, TxOutput
from btc.networks import Network

MAX_MONEY_SATS = 21_000_000 * 100_000_000
# The previous-block hash of a genesis block, as its header spells it.
NO_PREVIOUS_BLOCK = "0" * 64
_HEADER_SIZE = 80
_OP_0 = 0x00
_OP_1 = 0x51
_OP_16 = 0x60


def parse_block(raw: bytes, *, height: int, network: Network) -> Block:
    """The block serialized in `raw`, at `height` (the serialization does not say)."""
    reader = _Reader(raw)
    header = reader.take(_HEADER_SIZE)
    prev_hash = _hash_hex(header[4:36])
    merkle_root = header[36:68]
    count = reader.compact_size()
    transactions = []
    txid_digests = []
    for _ in range(count):
        txid_digest, outputs = _read_transaction(reader, network)
        txid_digests.append(txid_digest)
        transactions.append(Transaction(txid=_hash_hex(txid_digest), outputs=outputs))
    reader.expect_end("block")
    if not transactions:
        raise MalformedData("malformed block: no transactions")
    if _merkle_root(txid_digests) != merkle_root:
        raise MalformedData("malformed block: transactions do not match the merkle root")
    return Block(
        header=BlockHeader(height=height, hash=_hash_hex(_sha256d(header)), prev_hash=prev_hash),
        transactions=tuple(transactions),
    )


def parse_transaction(raw: bytes, *, network: Network) -> Transaction:
    """The one transaction serialized in `raw`."""
    reader = _Reader(raw)
    txid_digest, outputs = _read_transaction(reader, network)
    reader.expect_end("transaction")
    return Transaction(txid=_hash_hex(txid_digest), outputs=outputs)


def script_address(script: bytes, network: Network) -> str | None:
    """The address a scriptPubKey pays, or None for scripts without one.

    Follows Bitcoin Core: P2PKH, P2SH, segwit v0 with a 20- or 32-byte program, and
    any witness version 1-16 with a 2-40 byte program (P2TR, pay-to-anchor and
    versions not defined yet, in bech32m). P2PK, bare multisig and OP_RETURN have none.
    """
    size = len(script)
    if size == 25 and script[:3] == b"\x76\xa9\x14" and script[23:] == b"\x88\xac":
        return base58.encode_check(network.p2pkh_version + script[3:23])
    if size == 23 and script[:2] == b"\xa9\x14" and script[22] == 0x87:
        return base58.encode_check(network.p2sh_version + script[2:22])
    if 4 <= size <= 42 and script[1] == size - 2:
        opcode = script[0]
        if opcode == _OP_0 and size - 2 in (20, 32):
            return encode_segwit_address(network.bech32_hrp, 0, script[2:])
        if _OP_1 <= opcode <= _OP_16:
            return encode_segwit_address(network.bech32_hrp, opcode - _OP_1 + 1, script[2:])
    return None


def _read_transaction(reader: _Reader, network: Network) -> tuple[bytes, tuple[TxOutput, ...]]:
    """Read one transaction; return its txid (as the raw digest) and its outputs.

    The txid hashes the legacy serialization: version, inputs, outputs and lock
    time, without the segwit marker, flag and witnesses.
    """
    version = reader.take(4)
    segwit = reader.peek(2) == b"\x00\x01"
    if segwit:
        reader.take(2)
    elif reader.peek(1) == b"\x00":
        # Core reads 0x00 here as the segwit marker, and refuses any flag but 0x01.
        raise MalformedData("malformed transaction: unknown segwit flag")
    body_start = reader.position
    input_count = reader.compact_size()
    if input_count == 0:
        raise MalformedData("malformed transaction: no inputs")
    for _ in range(input_count):
        reader.take(36)  # previous output: txid and index
        reader.take(reader.compact_size())  # scriptSig
        reader.take(4)  # sequence
    outputs = []
    for index in range(reader.compact_size()):
        (value,) = struct.unpack("<q", reader.take(8))
        if not 0 <= value <= MAX_MONEY_SATS:
            raise MalformedData(f"malformed transaction: output value {value} out of range")
        script = reader.take(reader.compact_size())
        outputs.append(TxOutput(index, value, script_address(script, network)))
    body = reader.data[body_start : reader.position]
    if segwit:
        witnessed = False
        for _ in range(input_count):
            items = reader.compact_size()
            witnessed = witnessed or items > 0
            for _ in range(items):
                reader.take(reader.compact_size())
        if not witnessed:
            raise MalformedData("malformed transaction: segwit marker without witness")
    lock_time = reader.take(4)
    return _sha256d(version + body + lock_time), tuple(outputs)


class _Reader:
    """Reads a byte string front to back, raising MalformedData when it runs out."""

    __slots__ = ("data", "position")

    def __init__(self, data: bytes) -> None:
        self.data = bytes(data)
        self.position = 0

    def take(self, size: int) -> bytes:
        end = self.position + size
        if end > len(self.data):
            raise MalformedData(
                f"malformed data: needed {size} bytes at offset {self.position}, "
                f"only {len(self.data) - self.position} left"
            )
        chunk = self.data[self.position : end]
        self.position = end
        return chunk

    def peek(self, size: int) -> bytes:
        return self.data[self.position : self.position + size]

    def compact_size(self) -> int:
        """Bitcoin's variable-length integer (CompactSize); non-canonical forms are refused."""
        first = self.take(1)[0]
        if first < 0xFD:
            return first
        width, minimum = {0xFD: (2, 0xFD), 0xFE: (4, 0x1_0000), 0xFF: (8, 0x1_0000_0000)}[first]
        value = int.from_bytes(self.take(width), "little")
        if value < minimum:
            raise MalformedData("malformed data: non-canonical compact size")
        return value

    def expect_end(self, what: str) -> None:
        if self.position != len(self.data):
            raise MalformedData(
                f"malformed {what}: {len(self.data) - self.position} bytes left over"
            )


def _sha256d(data: bytes) -> bytes:
    return hashlib.sha256(hashlib.sha256(data).digest()).digest()


def _hash_hex(digest: bytes) -> str:
    """Hashes are shown byte-reversed, as every bitcoin tool prints them."""
    return digest[::-1].hex()


def _merkle_root(digests: list[bytes]) -> bytes:
    level = digests
    while len(level) > 1:
        if len(level) % 2:
            level = [*level, level[-1]]
        level = [_sha256d(level[i] + level[i + 1]) for i in range(0, len(level), 2)]
    return level[0]
