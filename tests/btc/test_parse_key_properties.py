"""Whatever is pasted, parse_key returns a WatchKey or refuses it: it never fails otherwise,
and its refusal never repeats the input."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from btc import KeyRefused, WatchKey, parse_key
from tests.btc.vectors import (
    ACCOUNT_XPUBS,
    MASTER_XPRV,
    TR_DESCRIPTOR,
    WPKH_DESCRIPTOR,
    XPUB,
    YPUB,
    ZPUB,
    with_version,
)

VALID_INPUTS = [
    ZPUB,
    YPUB,
    XPUB,
    with_version(ZPUB, "vpub"),
    WPKH_DESCRIPTOR,
    TR_DESCRIPTOR,
    f"sh(wpkh([73c5da0a/49h/0h/0h]{ACCOUNT_XPUBS['p2sh-p2wpkh']}/<0;1>/*))",
    MASTER_XPRV,
]
DESCRIPTOR_ALPHABET = "0123456789abcdefhpkwxtrsz()[]/*<>;'#,hH"


@st.composite
def mutated_keys(draw: st.DrawFn) -> str:
    """A valid key or descriptor with a few characters replaced, inserted or deleted."""
    text = draw(st.sampled_from(VALID_INPUTS))
    characters = st.one_of(st.sampled_from(DESCRIPTOR_ALPHABET), st.characters())
    for _ in range(draw(st.integers(min_value=1, max_value=4))):
        position = draw(st.integers(min_value=0, max_value=len(text)))
        edit = draw(st.sampled_from(["replace", "insert", "delete"]))
        character = draw(characters)
        if edit == "replace":
            text = text[:position] + character + text[position + 1 :]
        elif edit == "insert":
            text = text[:position] + character + text[position:]
        else:
            text = text[:position] + text[position + 1 :]
    return text


descriptor_like = st.from_regex(
    r"(pkh|wpkh|tr|sh\(wpkh)\((\[[0-9a-f]{8}(/[0-9]{1,3}[h']?){0,3}\])?"
    r"(xpub|tpub|zpub)[1-9A-Za-z]{0,112}(/([0-9]{1,3}|\*|<0;1>)[h']?){0,3}\)\)?(#[a-z0-9]{8})?",
    fullmatch=True,
)
anything = st.one_of(st.text(max_size=300), mutated_keys(), descriptor_like)


@given(text=anything, network=st.sampled_from(["mainnet", "testnet", "signet", "regtest", None]))
@settings(max_examples=1000, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_it_only_ever_returns_a_watch_key_or_refuses(text, network):
    try:
        key = parse_key(text, network=network)
    except KeyRefused as refused:
        assert refused.code
        # Refusals are fixed sentences, so a short input may happen to be a word of one
        # ("fingerpri" is in "fingerprint"); anything key-sized must never be echoed.
        if len(text.strip()) > 30:
            assert text.strip() not in refused.message
    else:
        assert isinstance(key, WatchKey)
        assert key.address(0)
