"""What parse_key refuses, with which code, and that it never repeats or logs what it refused."""

from __future__ import annotations

import logging
import traceback

import pytest
from embit.descriptor.checksum import add_checksum
from embit.ec import PrivateKey
from embit.networks import NETWORKS
from hypothesis import given, settings
from hypothesis import strategies as st

from btc import KeyRefused, parse_key
from tests.btc.vectors import (
    ACCOUNT_XPUBS,
    MASTER_XPRV,
    MUST_REFUSE,
    TR_DESCRIPTOR,
    WPKH_DESCRIPTOR,
    ZPUB,
    master_xpub,
    with_payload_bytes,
    with_version,
)

SECRET = bytes.fromhex("0c28fca386c7a227600b2fe50b7cae11ec86d3bf1fbe471be89827e19d72aa1d")
ACCOUNT_XPUB = ACCOUNT_XPUBS["p2wpkh"]
BASE58_ALPHABET = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"

PRIVATE_KEYS = {
    "xprv": MASTER_XPRV,
    "yprv": with_version(MASTER_XPRV, "yprv"),
    "zprv": with_version(MASTER_XPRV, "zprv"),
    "tprv": with_version(MASTER_XPRV, "tprv"),
    "uprv": with_version(MASTER_XPRV, "uprv"),
    "vprv": with_version(MASTER_XPRV, "vprv"),
    "xprv with a typo": MASTER_XPRV[:-1] + "1",
    "xprv in a descriptor": add_checksum(f"wpkh({MASTER_XPRV}/84h/0h/0h/0/*)"),
    "wif compressed": PrivateKey(SECRET).wif(),
    "wif uncompressed": PrivateKey(SECRET, compressed=False).wif(),
    "testnet wif": PrivateKey(SECRET, network=NETWORKS["test"]).wif(),
    "wif in a descriptor": f"wpkh({PrivateKey(SECRET).wif()})",
    "hex": SECRET.hex(),
    "hex with 0x": "0x" + SECRET.hex(),
    "hex in a descriptor": f"wpkh({SECRET.hex()})",
    # The BIP32 private serialisation (a zero byte, then the key) under a public version.
    "private data under xpub version": with_payload_bytes(ACCOUNT_XPUB, 45, b"\0" + SECRET),
}


SEED_WORDS = MUST_REFUSE["seed_words"].split()
# Written out here, independently of the parser's table.
CYRILLIC_FOR = {"a": "\u0430", "c": "\u0441", "e": "\u0435", "o": "\u043e", "p": "\u0440",
                "x": "\u0445", "y": "\u0443", "K": "\u041a", "M": "\u041c"}  # fmt: skip
ZERO_WIDTH = ["\u200b", "\u200c", "\u200d", "\u2060", "\ufeff", "\u00ad"]


def full_width(text: str) -> str:
    return "".join(chr(ord(char) + 0xFEE0) if "!" <= char <= "~" else char for char in text)


def refusal_code(text: str, network: str | None = "mainnet") -> str:
    with pytest.raises(KeyRefused) as refused:
        parse_key(text, network=network)
    return refused.value.code


@pytest.mark.parametrize(
    ("name", "code"),
    [
        ("bad_checksum_zpub", "bad_checksum"),
        ("bad_descriptor_checksum", "bad_descriptor_checksum"),
        ("private_master_key", "private_key"),
        ("seed_words", "seed_words"),
        ("empty", "empty"),
    ],
)
def test_it_refuses_each_must_refuse_vector_with_its_code(name, code):
    assert refusal_code(MUST_REFUSE[name]) == code


@pytest.mark.parametrize("name", PRIVATE_KEYS)
def test_it_refuses_private_keys_in_every_form(name):
    assert refusal_code(PRIVATE_KEYS[name]) == "private_key"


@pytest.mark.parametrize(
    "phrase",
    [
        MUST_REFUSE["seed_words"],
        " ".join(["zoo"] * 23 + ["wrong"]),
        "1. abandon 2. abandon 3. abandon 4. abandon 5. abandon 6. abandon\n"
        "7. abandon 8. abandon 9. abandon 10. abandon 11. abandon 12. about",
        "abandon, ability, able, about, above, absent, absorb, abstract, absurd, abuse, "
        "access, accident",
        "ábaco abdomen abeja abierto abogado abono aborto abrazo abrir abuelo abuso acabar",
    ],
    ids=["bip39", "24 words", "numbered", "commas", "spanish"],
)
def test_it_refuses_seed_words(phrase):
    assert refusal_code(phrase) == "seed_words"


@pytest.mark.parametrize(
    "phrase",
    [
        ",".join(SEED_WORDS),
        "-".join(SEED_WORDS),
        " - ".join(SEED_WORDS),
        "\n".join(f"{number}) {word}" for number, word in enumerate(SEED_WORDS, 1)),
        " ".join(SEED_WORDS[:11]),
        " ".join(SEED_WORDS) + "\nPassphrase: Tr0ub4dor&3!",
        "\u3000".join(SEED_WORDS),  # the ideographic space of a Japanese keyboard
    ],
    ids=["commas", "dashes", "spaced dashes", "one a line", "11 words", "passphrase", "wide"],
)
def test_it_refuses_seed_words_however_they_are_joined(phrase):
    assert refusal_code(phrase) == "seed_words"


@pytest.mark.parametrize(
    "text",
    [
        " ".join(SECRET.hex()[i : i + 4] for i in range(0, 64, 4)),
        " ".join(SECRET.hex()[i : i + 2] for i in range(0, 64, 2)),
        "\n".join(SECRET.hex()[i : i + 32] for i in range(0, 64, 32)),
        " ".join(PRIVATE_KEYS["wif compressed"][i : i + 4] for i in range(0, 52, 4)),
        CYRILLIC_FOR["x"] + MASTER_XPRV[1:],
        MASTER_XPRV[0] + CYRILLIC_FOR["p"] + MASTER_XPRV[2:],
        full_width(MASTER_XPRV[:1]) + MASTER_XPRV[1:],
        full_width(MASTER_XPRV),
        MASTER_XPRV[:2] + "\u200b" + MASTER_XPRV[2:],
        "\ufeff" + MASTER_XPRV,
    ],
    ids=[
        "hex in fours",
        "hex in pairs",
        "hex on two lines",
        "wif in fours",
        "xprv with a cyrillic x",
        "xprv with a cyrillic p",
        "xprv with a full-width x",
        "xprv all full-width",
        "xprv with a zero-width space",
        "xprv after a byte-order mark",
    ],
)
def test_it_refuses_disguised_private_keys(text):
    assert refusal_code(text) == "private_key"


def disguise(text: str, draw: st.DrawFn) -> str:
    """`text` as it might arrive: look-alike, full-width and invisible characters mixed in."""
    characters = list(text)
    for _ in range(draw(st.integers(min_value=1, max_value=6))):
        position = draw(st.integers(min_value=0, max_value=len(characters) - 1))
        character = characters[position]
        change = draw(st.sampled_from(["look-alike", "full width", "zero width"]))
        if change == "look-alike" and character in CYRILLIC_FOR:
            characters[position] = CYRILLIC_FOR[character]
        elif change == "full width":
            characters[position] = full_width(character)
        else:
            characters.insert(position, draw(st.sampled_from(ZERO_WIDTH)))
    return "".join(characters)


# Those refused by their shape alone; the others are found by decoding the key.
SHAPED_PRIVATE_KEYS = [
    key
    for name, key in PRIVATE_KEYS.items()
    if name not in ("private data under xpub version", "hex in a descriptor")
]


@st.composite
def disguised_secrets(draw: st.DrawFn) -> tuple[str, str]:
    if draw(st.booleans()):
        words = SEED_WORDS[: draw(st.integers(min_value=9, max_value=12))]
        separator = draw(st.sampled_from([" ", ",", ", ", "-", " - ", "\n", "\t", ";"]))
        return "seed_words", disguise(separator.join(words), draw)
    key = draw(st.sampled_from(SHAPED_PRIVATE_KEYS))
    if draw(st.booleans()):
        size = draw(st.integers(min_value=2, max_value=16))
        key = draw(st.sampled_from([" ", "\n"])).join(
            key[i : i + size] for i in range(0, len(key), size)
        )
    return "private_key", disguise(key, draw)


@given(disguised_secrets())
@settings(max_examples=300, deadline=None)
def test_a_disguised_secret_still_gets_the_never_share_warning(secret):
    code, text = secret

    with pytest.raises(KeyRefused) as refused:
        parse_key(text)

    assert refused.value.code == code
    assert text not in refused.value.message


@pytest.mark.parametrize("network", ["testnet", "signet", "regtest"])
@pytest.mark.parametrize("text", [ZPUB, WPKH_DESCRIPTOR, TR_DESCRIPTOR])
def test_it_refuses_a_mainnet_key_on_a_test_network_site(text, network):
    assert refusal_code(text, network) == "wrong_network"


@pytest.mark.parametrize(
    "text",
    [
        with_version(ZPUB, "tpub"),
        with_version(ZPUB, "upub"),
        with_version(ZPUB, "vpub"),
        f"wpkh({with_version(ACCOUNT_XPUB, 'tpub')}/0/*)",
    ],
    ids=["tpub", "upub", "vpub", "tpub descriptor"],
)
def test_it_refuses_a_test_network_key_on_a_mainnet_site(text):
    assert refusal_code(text) == "wrong_network"


@pytest.mark.parametrize("position", [5, 30, 60, 90, 110])
def test_it_refuses_every_one_character_typo_of_the_zpub(position):
    for replacement in BASE58_ALPHABET.replace(ZPUB[position], ""):
        typo = ZPUB[:position] + replacement + ZPUB[position + 1 :]
        assert refusal_code(typo) == "bad_checksum"


def test_it_refuses_a_zpub_with_a_character_lost_or_added():
    assert refusal_code(ZPUB[:50] + ZPUB[51:]) in ("bad_checksum", "garbage")
    assert refusal_code(ZPUB[:50] + "x" + ZPUB[50:]) in ("bad_checksum", "garbage")


def test_it_refuses_a_one_character_typo_in_a_descriptor_with_a_checksum():
    typo = WPKH_DESCRIPTOR.replace("/84h/", "/48h/")

    assert refusal_code(typo) == "bad_descriptor_checksum"


@pytest.mark.parametrize(
    "path", ["/0/*h", "/0/*'", "/0/*H", "/0h/*", "/1'/<0;1>/*"], ids=lambda path: path
)
def test_it_refuses_hardened_derivation_after_the_public_key(path):
    assert refusal_code(f"wpkh({ACCOUNT_XPUB}{path})") == "hardened_wildcard"


def test_it_refuses_huge_input_before_parsing_it():
    assert refusal_code("x" * 4097) == "too_long"
    # Even a valid key: the length is checked before whitespace is stripped.
    assert refusal_code(ZPUB + " " * 4096) == "too_long"


@pytest.mark.parametrize(
    "text",
    [
        "   \n\t ",
        "hello",
        "zpub",
        "wpkh(",
        "wpkh(xpub)",
        f"wpkh({ACCOUNT_XPUB}/0/*",
        f"{ACCOUNT_XPUB}/0/*",
        f"wpkh({ACCOUNT_XPUB}/0//*)",
        f"wpkh({ACCOUNT_XPUB}/2147483648/*)",
        f"wpkh({ACCOUNT_XPUB}/*/0)",
        f"wpkh(\n{ACCOUNT_XPUB}/0/*)",
        f"wpkh({ACCOUNT_XPUB}/0/*)#",
        "not a key at all, just a sentence",
        "\x00\x01\x02",
        "🔑" * 40,
    ],
)
def test_it_refuses_garbage(text):
    assert refusal_code(text) in ("empty", "garbage", "bad_descriptor_checksum", "unsupported")


@pytest.mark.parametrize(
    "text",
    [
        f"wsh(multi(1,{ACCOUNT_XPUB}/0/*,{ACCOUNT_XPUB}/1/*))",
        f"sh(multi(1,{ACCOUNT_XPUB}/0/*))",
        f"tr({ACCOUNT_XPUB}/0/*,pk({ACCOUNT_XPUB}/1/*))",
        f"wsh(pkh({ACCOUNT_XPUB}/0/*))",
        f"combo({ACCOUNT_XPUB}/0/*)",
        "addr(bc1qcr8te4kr609gcawutmrza0j4xv80jy8z306fyu)",
        with_version(ZPUB, "Zpub"),
        with_version(ZPUB, "Ypub"),
        f"wpkh({ZPUB}/0/*)",
        f"wpkh({ACCOUNT_XPUB}/0/5)",
        f"wpkh({ACCOUNT_XPUB})",
        f"wpkh({ACCOUNT_XPUB}/<0;1;2>/*)",
        f"wpkh({ACCOUNT_XPUB}/<0;1>/0/*)",
        "wpkh(02" + "11" * 32 + ")",
        "tr(" + "11" * 32 + ")",
        "bc1qcr8te4kr609gcawutmrza0j4xv80jy8z306fyu",
        "37VucYSaXLCAsxYyAPfbSi9eh4iEcbShgf",
        "1LqBGSKuX5yYUonjxT5qGfpUsXKYYWeabA",
    ],
    ids=[
        "wsh multi",
        "sh multi",
        "tr script tree",
        "wsh",
        "combo",
        "addr",
        "Zpub",
        "Ypub",
        "zpub in a descriptor",
        "fixed address",
        "no path",
        "three-way multipath",
        "multipath before a step",
        "raw public key",
        "raw x-only key",
        "bech32 address",
        "p2sh address",
        "p2pkh address",
    ],
)
def test_it_refuses_what_a_single_key_tip_wallet_cannot_use_as_unsupported(text):
    assert refusal_code(text) == "unsupported"


@pytest.mark.parametrize(
    "text",
    [
        # Depth 0 (a master key) that claims a parent fingerprint or a child number.
        with_payload_bytes(master_xpub(), 5, b"\1\2\3\4"),
        with_payload_bytes(master_xpub(), 9, b"\0\0\0\1"),
        # Public keys that are not compressed points on the curve.
        with_payload_bytes(ZPUB, 45, b"\4"),
        with_payload_bytes(ZPUB, 45, b"\2" + b"\0" * 32),
        with_payload_bytes(ZPUB, 45, b"\2" + b"\xff" * 32),
        # A version no wallet uses.
        with_payload_bytes(ZPUB, 0, b"\1\2\3\4"),
    ],
    ids=["master with parent", "master with index", "04 prefix", "zero x", "x above p", "version"],
)
def test_it_refuses_keys_that_break_bip32(text):
    assert refusal_code(text) == "garbage"


@pytest.mark.parametrize(
    "origin", ["[73c5da0a/84h/0h]", "[73c5da0a/84h/0h/0h/0h]", "[73c5da0a/84h/0h/1h]", "[73c5da0a]"]
)
def test_it_refuses_a_key_origin_that_cannot_be_the_keys(origin):
    assert refusal_code(f"wpkh({origin}{ACCOUNT_XPUB}/0/*)") == "garbage"


def test_an_unknown_site_network_is_a_configuration_error_not_a_refusal():
    with pytest.raises(ValueError) as error:
        parse_key(ZPUB, network="mainet")

    assert not isinstance(error.value, KeyRefused)


def test_a_refusal_message_is_its_string():
    with pytest.raises(KeyRefused) as refused:
        parse_key(MASTER_XPRV)

    assert str(refused.value) == refused.value.message
    assert refused.value.args == (refused.value.message,)


@pytest.mark.parametrize("text", [*PRIVATE_KEYS.values(), MUST_REFUSE["seed_words"]])
def test_a_refusal_carries_no_trace_of_the_input(text):
    with pytest.raises(KeyRefused) as refused:
        parse_key(text)

    # Whatever may report the error (a log, an error page, Sentry) sees the whole chain.
    report = "".join(traceback.format_exception(refused.value))
    for start in range(0, len(text) - 12):
        assert text[start : start + 12] not in report


def test_no_log_record_or_output_contains_a_refused_private_key(caplog, capsys):
    caplog.set_level(logging.DEBUG)

    for text in PRIVATE_KEYS.values():
        with pytest.raises(KeyRefused):
            parse_key(text)

    for record in caplog.records:
        logged = record.getMessage() + str(record.args) + str(record.exc_info)
        assert not any(text in logged for text in PRIVATE_KEYS.values())
    assert not any(text in caplog.text for text in PRIVATE_KEYS.values())
    assert capsys.readouterr() == ("", "")
