"""Our addresses equal those of two independent implementations, at any index.

embit (libsecp256k1, descriptor- and taproot-aware) checks all four script types on mainnet
and the test networks; bitcoinlib, the design card's library, checks the three it gets right
(its taproot addresses lack the BIP341 tweak).
"""

from __future__ import annotations

import os

import pytest
from embit.descriptor import Descriptor
from embit.networks import NETWORKS
from hypothesis import given, settings
from hypothesis import strategies as st

from btc import parse_key
from tests.btc.vectors import ACCOUNT_XPUBS, KEYS, with_version

INDEXES = st.integers(min_value=0, max_value=2**31 - 1)
CROSS_CHECK = settings(max_examples=100, deadline=None)
WRAPPERS = {
    "p2pkh": "pkh({})",
    "p2sh-p2wpkh": "sh(wpkh({}))",
    "p2wpkh": "wpkh({})",
    "p2tr": "tr({})",
}
EMBIT_NETWORKS = {"mainnet": "main", "testnet": "test", "signet": "signet", "regtest": "regtest"}


def _descriptor(script_type: str, network: str) -> str:
    """A receive-and-change descriptor of the vectors' account key for `script_type`."""
    xpub = ACCOUNT_XPUBS[script_type]
    key = xpub if network == "mainnet" else with_version(xpub, "tpub")
    return WRAPPERS[script_type].format(f"{key}/<0;1>/*")


@pytest.mark.parametrize("network", ["mainnet", "testnet", "regtest"])
@pytest.mark.parametrize("script_type", list(WRAPPERS))
@given(index=INDEXES, change=st.booleans())
@CROSS_CHECK
def test_it_derives_the_addresses_embit_derives(script_type, network, index, change):
    text = _descriptor(script_type, network)
    embit_address = (
        Descriptor.from_string(text)
        .derive(index, branch_index=int(change))
        .address(NETWORKS[EMBIT_NETWORKS[network]])
    )

    assert parse_key(text, network=network).address(index, change=change) == embit_address


@pytest.fixture(scope="module")
def bitcoinlib_hdkey(tmp_path_factory):
    # bitcoinlib writes ~/.bitcoinlib on import unless told where its data goes.
    os.environ.setdefault("BCL_DATA_DIR", str(tmp_path_factory.mktemp("bitcoinlib")))
    from bitcoinlib.keys import HDKey

    return HDKey


@pytest.mark.parametrize("vector", KEYS, ids=[vector["script"] for vector in KEYS])
@given(index=INDEXES, change=st.booleans())
@settings(max_examples=50, deadline=None)
def test_it_derives_the_addresses_bitcoinlib_derives(bitcoinlib_hdkey, vector, index, change):
    branch = bitcoinlib_hdkey(vector["key"]).child_public(int(change))
    bitcoinlib_address = branch.child_public(index).address()

    assert parse_key(vector["key"]).address(index, change=change) == bitcoinlib_address
