"""Reading bitcoin's binary block format (what Esplora's /block/:hash/raw serves)."""

from __future__ import annotations

import contextlib
import hashlib

import pytest
from embit import base58, bech32
from hypothesis import given
from hypothesis import strategies as st

from btc.blocks import MalformedData, TxOutput
from btc.networks import NETWORKS
from btc.rawblock import parse_block, parse_transaction, script_address
from tests.chain import blocks
from tests.chain.blocks import (
    BARE_MULTISIG,
    GENESIS_COINBASE_TXID,
    GENESIS_HASH,
    GENESIS_RAW,
    OP_RETURN,
    P2PKH,
    P2SH,
    P2TR,
    P2WPKH,
    P2WSH,
    PAY_TO_ANCHOR,
    WITNESS_V16,
    every_kind_block,
)

MAINNET = NETWORKS["mainnet"]
EVERY_KIND = every_kind_block()


def test_it_reads_the_mainnet_genesis_block() -> None:
    block = parse_block(GENESIS_RAW, height=0, network=MAINNET)

    assert block.hash == GENESIS_HASH
    assert block.header.prev_hash == "0" * 64
    assert block.height == 0
    (coinbase,) = block.transactions
    assert coinbase.txid == GENESIS_COINBASE_TXID
    # Pay-to-pubkey has no address, even though explorers show 1A1zP1...'s hash for it.
    assert coinbase.outputs == (TxOutput(index=0, value_sats=50 * 100_000_000, address=None),)


def test_it_reads_every_kind_of_output_with_its_address() -> None:
    block = parse_block(EVERY_KIND.raw, height=1, network=MAINNET)

    assert block.hash == EVERY_KIND.hash
    assert block.header.prev_hash == GENESIS_HASH
    assert [tx.txid for tx in block.transactions] == EVERY_KIND.txids
    assert [[(o.address, o.value_sats) for o in tx.outputs] for tx in block.transactions] == [
        [(P2WPKH, 312_500_000), (None, 0)],
        [(P2PKH, 1), (P2SH, 2_100_000_000_000_000), (None, 546)],
        [(P2WSH, 10_000), (P2TR, 20_000), (PAY_TO_ANCHOR, 0), (WITNESS_V16, 330), (None, 0)],
    ]
    assert [o.index for o in block.transactions[2].outputs] == [0, 1, 2, 3, 4]


def test_a_segwit_txid_leaves_the_witness_out() -> None:
    segwit_tx = EVERY_KIND.transactions[2]
    serialized = segwit_tx.serialize()
    assert serialized[4:6] == b"\x00\x01"  # the segwit marker and flag are there

    parsed = parse_transaction(serialized, network=MAINNET)

    with_witness = hashlib.sha256(hashlib.sha256(serialized).digest()).digest()[::-1].hex()
    assert parsed.txid == segwit_tx.txid().hex() != with_witness


def test_it_reads_a_legacy_transaction_alone() -> None:
    legacy_tx = EVERY_KIND.transactions[1]

    parsed = parse_transaction(legacy_tx.serialize(), network=MAINNET)

    assert parsed.txid == legacy_tx.txid().hex()
    assert [o.address for o in parsed.outputs] == [P2PKH, P2SH, None]


@pytest.mark.parametrize(
    ("network", "p2pkh_prefix", "p2sh_prefix", "hrp"),
    [
        ("mainnet", 0x00, 0x05, "bc"),
        ("testnet", 0x6F, 0xC4, "tb"),
        ("signet", 0x6F, 0xC4, "tb"),
        ("regtest", 0x6F, 0xC4, "bcrt"),
    ],
)
def test_it_spells_addresses_for_the_network(
    network: str, p2pkh_prefix: int, p2sh_prefix: int, hrp: str
) -> None:
    block = parse_block(EVERY_KIND.raw, height=1, network=NETWORKS[network])
    legacy, segwit = block.transactions[1], block.transactions[2]

    p2pkh, p2sh = legacy.outputs[0].address, legacy.outputs[1].address
    assert base58.decode_check(p2pkh)[:1] == bytes([p2pkh_prefix])
    assert base58.decode_check(p2sh)[:1] == bytes([p2sh_prefix])
    p2wsh, p2tr = segwit.outputs[0].address, segwit.outputs[1].address
    assert bech32.decode(hrp, p2wsh) == (0, list(blocks.script_for(P2WSH).data[2:]))
    assert bech32.decode(hrp, p2tr) == (1, list(blocks.script_for(P2TR).data[2:]))


@pytest.mark.parametrize(
    "script",
    [
        OP_RETURN.data,
        BARE_MULTISIG.data,
        b"",
        bytes.fromhex("0015" + "00" * 21),  # segwit v0 needs a 20 or 32 byte program
        bytes.fromhex("5101ff"),  # witness programs are at least 2 bytes
        bytes.fromhex("5129" + "00" * 41),  # and at most 40
        bytes.fromhex("76a914" + "00" * 20 + "88ad"),  # almost P2PKH
    ],
)
def test_scripts_without_an_address_have_none(script: bytes) -> None:
    assert script_address(script, MAINNET) is None


@given(
    version=st.integers(min_value=0, max_value=16),
    program=st.binary(min_size=2, max_size=40),
)
def test_every_witness_address_decodes_back_to_its_program(version: int, program: bytes) -> None:
    if version == 0 and len(program) not in (20, 32):
        return
    opcode = 0 if version == 0 else 0x50 + version
    address = script_address(bytes([opcode, len(program)]) + program, MAINNET)
    assert bech32.decode("bc", address) == (version, list(program))


@given(payload=st.binary(min_size=20, max_size=20))
def test_every_legacy_address_decodes_back_to_its_hash(payload: bytes) -> None:
    p2pkh = script_address(b"\x76\xa9\x14" + payload + b"\x88\xac", MAINNET)
    p2sh = script_address(b"\xa9\x14" + payload + b"\x87", MAINNET)
    assert base58.decode_check(p2pkh) == b"\x00" + payload
    assert base58.decode_check(p2sh) == b"\x05" + payload


def test_every_truncation_of_a_block_is_refused() -> None:
    for length in range(len(EVERY_KIND.raw)):
        with pytest.raises(MalformedData):
            parse_block(EVERY_KIND.raw[:length], height=1, network=MAINNET)


def test_trailing_bytes_are_refused() -> None:
    with pytest.raises(MalformedData, match="left over"):
        parse_block(GENESIS_RAW + b"\x00", height=0, network=MAINNET)


def test_a_changed_output_value_breaks_the_merkle_root() -> None:
    # Byte 0 of the genesis output's value (50 BTC), little-endian, 8 bytes before its script.
    tampered = bytearray(GENESIS_RAW)
    value_offset = GENESIS_RAW.index(bytes.fromhex("00f2052a01000000"))
    tampered[value_offset] = 0x01

    with pytest.raises(MalformedData, match="merkle root"):
        parse_block(bytes(tampered), height=0, network=MAINNET)


def test_a_non_canonical_count_is_refused() -> None:
    # One transaction, written as 0xfd 0x0001 instead of 0x01.
    raw = GENESIS_RAW[:80] + b"\xfd\x01\x00" + GENESIS_RAW[81:]

    with pytest.raises(MalformedData, match="non-canonical"):
        parse_block(raw, height=0, network=MAINNET)


def test_a_segwit_marker_with_an_unknown_flag_is_refused() -> None:
    raw = bytearray(EVERY_KIND.transactions[2].serialize())
    raw[5] = 0x02

    with pytest.raises(MalformedData, match="segwit flag"):
        parse_transaction(bytes(raw), network=MAINNET)


def test_a_segwit_marker_without_any_witness_is_refused() -> None:
    legacy = EVERY_KIND.transactions[1].serialize()
    # Version, marker and flag, the legacy body, one empty witness stack, lock time.
    raw = legacy[:4] + b"\x00\x01" + legacy[4:-4] + b"\x00" + legacy[-4:]

    with pytest.raises(MalformedData, match="without witness"):
        parse_transaction(raw, network=MAINNET)


def test_an_output_worth_more_than_all_bitcoin_is_refused() -> None:
    tx = blocks.transaction([blocks.output(P2WPKH, 2_100_000_000_000_001)], segwit=True)

    with pytest.raises(MalformedData, match="out of range"):
        parse_transaction(tx.serialize(), network=MAINNET)


@given(st.binary(max_size=400))
def test_arbitrary_bytes_raise_only_chain_source_errors(raw: bytes) -> None:
    for parse in (
        lambda: parse_block(raw, height=1, network=MAINNET),
        lambda: parse_transaction(raw, network=MAINNET),
    ):
        with contextlib.suppress(MalformedData):
            parse()


@given(
    position=st.integers(min_value=0, max_value=len(EVERY_KIND.raw) - 1),
    byte=st.integers(min_value=0, max_value=255),
    cut=st.integers(min_value=0, max_value=len(EVERY_KIND.raw)),
)
def test_damage_to_a_real_block_never_changes_what_it_reports(
    position: int, byte: int, cut: int
) -> None:
    damaged = bytearray(EVERY_KIND.raw)
    damaged[position] = byte
    try:
        block = parse_block(bytes(damaged[:cut]), height=1, network=MAINNET)
    except MalformedData:
        return
    # What gets through is damage the merkle root does not cover: the header's other
    # fields (the adapter compares the hash with the one it asked for) and witnesses.
    original = parse_block(EVERY_KIND.raw, height=1, network=MAINNET)
    assert block.transactions == original.transactions
