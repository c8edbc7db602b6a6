"""What parse_key accepts, and the addresses, paths and descriptors it derives from it."""

from __future__ import annotations

import copy
import dataclasses
import pickle

import pytest
from embit.descriptor.checksum import add_checksum

from btc import DerivedAddress, ScriptType, WatchKey, parse_key
from tests.btc.vectors import (
    ACCOUNT_XPUBS,
    DESCRIPTORS,
    KEYS,
    TR_DESCRIPTOR,
    WPKH_DESCRIPTOR,
    ZPUB,
    master_xpub,
    with_version,
)


def _ids(vectors: list[dict]) -> list[str]:
    return [vector["script"] for vector in vectors]


def test_it_derives_the_bip84_receive_vectors():
    key = parse_key(ZPUB)

    assert key.address(0) == "bc1qcr8te4kr609gcawutmrza0j4xv80jy8z306fyu"
    assert key.address(1) == "bc1qnjg0jd8228aq7egyzacy8cys3knf9xvrerkf9g"


@pytest.mark.parametrize("vector", KEYS, ids=_ids(KEYS))
def test_it_derives_the_receive_and_change_vectors_of_each_slip132_key(vector):
    key = parse_key(vector["key"])

    assert key.script_type == vector["script"]
    assert key.network == "mainnet"
    assert [key.address(i) for i in range(len(vector["receive"]))] == vector["receive"]
    assert [key.address(i, change=True) for i in range(len(vector["change"]))] == vector["change"]


@pytest.mark.parametrize("vector", DESCRIPTORS, ids=_ids(DESCRIPTORS))
def test_it_derives_the_receive_vectors_of_each_descriptor(vector):
    key = parse_key(vector["descriptor"])

    assert key.script_type == vector["script"]
    assert [key.address(i) for i in range(len(vector["receive"]))] == vector["receive"]


@pytest.mark.parametrize("vector", DESCRIPTORS, ids=_ids(DESCRIPTORS))
def test_it_keeps_a_descriptor_and_its_checksum_as_given(vector):
    assert parse_key(vector["descriptor"]).descriptor == vector["descriptor"]


@pytest.mark.parametrize("vector", DESCRIPTORS, ids=_ids(DESCRIPTORS))
def test_it_adds_the_checksum_when_a_descriptor_has_none(vector):
    without_checksum = vector["descriptor"].split("#")[0]

    assert parse_key(without_checksum).descriptor == vector["descriptor"]


def test_it_accepts_apostrophes_for_hardened_steps_and_stores_h():
    with_apostrophes = WPKH_DESCRIPTOR.split("#")[0].replace("h/", "'/").replace("h]", "']")

    assert parse_key(add_checksum(with_apostrophes)).descriptor == WPKH_DESCRIPTOR


def test_it_strips_whitespace_around_the_input():
    assert parse_key(f"\n  {ZPUB} \t\n").descriptor == parse_key(ZPUB).descriptor


@pytest.mark.parametrize(
    ("slip132_key", "wrapper"),
    [(KEYS[0]["key"], "wpkh({})"), (KEYS[1]["key"], "sh(wpkh({}))"), (KEYS[2]["key"], "pkh({})")],
    ids=["zpub", "ypub", "xpub"],
)
def test_it_describes_a_slip132_key_as_an_xpub_descriptor_with_receive_and_change(
    slip132_key, wrapper
):
    key = parse_key(slip132_key)
    account_xpub = ACCOUNT_XPUBS[key.script_type]

    assert key.descriptor == add_checksum(wrapper.format(f"{account_xpub}/<0;1>/*"))
    assert key.has_change_branch


@pytest.mark.parametrize("text", [ZPUB, WPKH_DESCRIPTOR, TR_DESCRIPTOR])
def test_its_descriptor_parses_back_to_the_same_key(text):
    key = parse_key(text)

    assert parse_key(key.descriptor) == key


def test_it_gives_full_derivation_paths_when_the_key_origin_is_known():
    key = parse_key(TR_DESCRIPTOR)

    assert key.derivation_path(5) == "m/86h/0h/0h/0/5"


def test_it_gives_paths_relative_to_the_key_when_its_origin_is_unknown():
    key = parse_key(ZPUB)

    assert key.derivation_path(5) == "0/5"
    assert key.derivation_path(7, change=True) == "1/7"


def test_a_descriptor_ending_in_0_star_has_no_change_branch():
    key = parse_key(WPKH_DESCRIPTOR)

    assert not key.has_change_branch
    with pytest.raises(ValueError, match="no change branch"):
        key.address(0, change=True)


def test_a_receive_and_change_descriptor_derives_both_branches():
    both = parse_key(WPKH_DESCRIPTOR.split("#")[0].replace("/0/*", "/<0;1>/*"))

    assert both.has_change_branch
    assert both.address(0) == KEYS[0]["receive"][0]
    assert both.address(0, change=True) == KEYS[0]["change"][0]
    assert both.derivation_path(0, change=True) == "m/84h/0h/0h/1/0"


def test_it_derives_through_any_unhardened_steps_before_the_wildcard():
    key = parse_key(f"wpkh({ACCOUNT_XPUBS['p2wpkh']}/1/*)")

    assert key.address(0) == KEYS[0]["change"][0]
    assert key.derivation_path(0) == "1/0"


def test_it_lists_addresses_with_their_index_and_path():
    key = parse_key(ZPUB)

    assert key.addresses(start=1, count=2) == [
        DerivedAddress(index=1, change=False, address=KEYS[0]["receive"][1], path="0/1"),
        DerivedAddress(index=2, change=False, address=key.address(2), path="0/2"),
    ]
    assert key.addresses(count=1, change=True)[0].address == KEYS[0]["change"][0]
    assert len(key.addresses()) == 10


@pytest.mark.parametrize("index", [-1, 2**31])
def test_it_refuses_indexes_outside_the_unhardened_range(index):
    key = parse_key(ZPUB)

    with pytest.raises(ValueError):
        key.address(index)
    with pytest.raises(ValueError):
        key.addresses(start=index, count=1)


@pytest.mark.parametrize(
    ("network", "prefix"), [("testnet", "tb1q"), ("signet", "tb1q"), ("regtest", "bcrt1q")]
)
def test_a_vpub_derives_the_test_network_addresses_of_the_site(network, prefix):
    key = parse_key(with_version(ZPUB, "vpub"), network=network)

    assert key.network == network
    assert key.script_type is ScriptType.P2WPKH
    assert key.address(0).startswith(prefix)
    assert key.descriptor.startswith("wpkh(tpub")


@pytest.mark.parametrize(
    ("text", "network"), [(ZPUB, "mainnet"), (with_version(ZPUB, "vpub"), "testnet")]
)
def test_without_a_site_network_the_key_names_its_own(text, network):
    assert parse_key(text, network=None).network == network


def test_a_master_key_is_accepted_with_a_warning():
    key = parse_key(master_xpub())

    assert key.is_master
    assert len(key.warnings) == 1
    assert "master" in key.warnings[0]
    # The root of the wallet is its own origin: paths are complete.
    assert key.derivation_path(3) == "m/0/3"


def test_an_account_key_has_no_warnings():
    key = parse_key(ZPUB)

    assert not key.is_master
    assert key.warnings == ()


def test_a_watch_key_is_immutable():
    key = parse_key(ZPUB)

    with pytest.raises(dataclasses.FrozenInstanceError):
        key.network = "testnet"


def test_a_watch_key_survives_pickling_and_copying():
    key = parse_key(ZPUB)

    pickled = pickle.loads(pickle.dumps(key))  # noqa: S301 - bytes we just made

    for duplicate in (pickled, copy.deepcopy(key)):
        assert duplicate == key
        assert duplicate.address(0, change=True) == key.address(0, change=True)


def test_its_repr_does_not_show_the_key():
    key = parse_key(ZPUB)

    assert repr(key) == "<WatchKey p2wpkh mainnet>"
    assert isinstance(key, WatchKey)
