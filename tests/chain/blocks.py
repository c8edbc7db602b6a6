"""Real serialized blocks for the chain tests: mainnet's genesis block and blocks built here.

Transactions are built and serialized with embit, an implementation independent
of chain/rawblock.py, and their txids come from embit too. Scripts come
from decoding published addresses (BIP173/BIP350 test vectors and well-known
addresses), so the parser's address encoding is checked against strings it did
not produce.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from embit import base58, bech32
from embit.script import Script, Witness
from embit.transaction import Transaction, TransactionInput, TransactionOutput

# Mainnet's genesis block, 285 bytes; its only output is pay-to-pubkey (no address).
GENESIS_HASH = "000000000019d6689c085ae165831e934ff763ae46a2a6c172b3f1b60a8ce26f"
GENESIS_COINBASE_TXID = "4a5e1e4baab89f3a32518a88c31bc87f618f76673e2cc77ab2127b7afdeda33b"
GENESIS_RAW = bytes.fromhex(
    "01000000000000000000000000000000000000000000000000000000000000000000000"
    "03ba3edfd7a7b12b27ac72c3e67768f617fc81bc3888a51323a9fb8aa4b1e5e4a29ab5f"
    "49ffff001d1dac2b7c01010000000100000000000000000000000000000000000000000"
    "00000000000000000000000ffffffff4d04ffff001d0104455468652054696d65732030"
    "332f4a616e2f32303039204368616e63656c6c6f72206f6e206272696e6b206f662073"
    "65636f6e64206261696c6f757420666f722062616e6b73ffffffff0100f2052a010000"
    "00434104678afdb0fe5548271967f1a67130b7105cd6a828e03909a67962e0ea1f61de"
    "b649f6bc3f4cef38c4f35504e51ec112de5c384df7ba0b8d578a4c702b6bf11d5fac00"
    "000000"
)

# Published mainnet addresses of every kind the parser names.
P2PKH = "1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa"  # the genesis block's key, hashed
P2SH = "3J98t1WpEZ73CNmQviecrnyiWrnqRhWNLy"
P2WPKH = "bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4"  # BIP173
P2WSH = "bc1qrp33g0q5c5txsp9arysrx4k6zdkfs4nce4xj0gdcccefvpysxf3qccfmv3"  # BIP173
P2TR = "bc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vqzk5jj0"  # BIP350
PAY_TO_ANCHOR = "bc1pfeessrawgf"
WITNESS_V16 = "bc1sw50qgdz25j"  # BIP350: a future witness version
OP_RETURN = Script(bytes.fromhex("6a0b68656c6c6f20776f726c64"))  # "hello world"
BARE_MULTISIG = Script(bytes([0x51, 0x21, 0x02]) + bytes(32) + bytes([0x51, 0xAE]))


def script_for(address: str) -> Script:
    hrp = address.split("1")[0]
    if hrp in ("bc", "tb", "bcrt"):
        version, program = bech32.decode(hrp, address)
        assert version is not None, address
        opcode = 0 if version == 0 else 0x50 + version
        return Script(bytes([opcode, len(program), *program]))
    payload = base58.decode_check(address)
    if payload[0] in (0x00, 0x6F):
        return Script(b"\x76\xa9\x14" + payload[1:] + b"\x88\xac")
    return Script(b"\xa9\x14" + payload[1:] + b"\x87")


def output(destination: str | Script, sats: int) -> TransactionOutput:
    script = destination if isinstance(destination, Script) else script_for(destination)
    return TransactionOutput(sats, script)


def spend(previous_txid: bytes, *, segwit: bool) -> TransactionInput:
    witness = Witness([bytes(71), bytes(33)]) if segwit else None
    script_sig = (
        Script(b"") if segwit else Script(bytes([0x47]) + bytes(71) + bytes([0x21]) + bytes(33))
    )
    return TransactionInput(previous_txid, 0, script_sig=script_sig, witness=witness)


def coinbase(height: int, outputs: list[TransactionOutput]) -> Transaction:
    height_push = height.to_bytes(4, "little")
    script_sig = Script(bytes([len(height_push)]) + height_push + b"bitcache")
    return Transaction(
        version=1,
        vin=[TransactionInput(bytes(32), 0xFFFFFFFF, script_sig=script_sig)],
        vout=outputs,
    )


def transaction(outputs: list[TransactionOutput], *, segwit: bool, seed: int = 1) -> Transaction:
    previous = hashlib.sha256(seed.to_bytes(4, "little")).digest()
    return Transaction(version=2, vin=[spend(previous, segwit=segwit)], vout=outputs)


@dataclass(frozen=True)
class BuiltBlock:
    raw: bytes
    hash: str
    prev_hash: str
    txids: list[str]
    transactions: list[Transaction]


def build_block(prev_hash: str, transactions: list[Transaction], *, nonce: int = 0) -> BuiltBlock:
    digests = [tx.hash() for tx in transactions]
    header = (
        (0x20000000).to_bytes(4, "little")
        + bytes.fromhex(prev_hash)[::-1]
        + merkle_root(digests)
        + (1_700_000_000).to_bytes(4, "little")
        + bytes.fromhex("1d00ffff")[::-1]
        + nonce.to_bytes(4, "little")
    )
    body = compact_size(len(transactions)) + b"".join(tx.serialize() for tx in transactions)
    return BuiltBlock(
        raw=header + body,
        hash=_sha256d(header)[::-1].hex(),
        prev_hash=prev_hash,
        txids=[tx.txid().hex() for tx in transactions],
        transactions=transactions,
    )


def merkle_root(digests: list[bytes]) -> bytes:
    level = list(digests)
    while len(level) > 1:
        if len(level) % 2:
            level.append(level[-1])
        level = [_sha256d(a + b) for a, b in zip(level[::2], level[1::2], strict=True)]
    return level[0]


def compact_size(n: int) -> bytes:
    if n < 0xFD:
        return bytes([n])
    if n <= 0xFFFF:
        return b"\xfd" + n.to_bytes(2, "little")
    return b"\xfe" + n.to_bytes(4, "little")


def every_kind_block(prev_hash: str = GENESIS_HASH, height: int = 1) -> BuiltBlock:
    """A block with a coinbase, a legacy and a segwit transaction paying every script kind."""
    return build_block(
        prev_hash,
        [
            coinbase(height, [output(P2WPKH, 312_500_000), output(OP_RETURN, 0)]),
            transaction(
                [output(P2PKH, 1), output(P2SH, 2_100_000_000_000_000), output(BARE_MULTISIG, 546)],
                segwit=False,
            ),
            transaction(
                [
                    output(P2WSH, 10_000),
                    output(P2TR, 20_000),
                    output(PAY_TO_ANCHOR, 0),
                    output(WITNESS_V16, 330),
                    output(OP_RETURN, 0),
                ],
                segwit=True,
            ),
        ],
    )


def _sha256d(data: bytes) -> bytes:
    return hashlib.sha256(hashlib.sha256(data).digest()).digest()
