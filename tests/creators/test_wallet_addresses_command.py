"""`manage.py wallet_addresses KEY`: one address a line, for the network the key names."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from tests.btc.vectors import KEYS, MASTER_XPRV, TR_DESCRIPTOR, ZPUB, with_version


def wallet_addresses(*args: str) -> list[str]:
    out = StringIO()
    call_command("wallet_addresses", *args, stdout=out)
    return out.getvalue().splitlines()


def test_it_prints_the_first_ten_receive_addresses_one_a_line():
    addresses = wallet_addresses(ZPUB)

    assert len(addresses) == 10
    assert addresses[:2] == KEYS[0]["receive"]


def test_it_prints_change_addresses_from_a_start_index():
    assert wallet_addresses(ZPUB, "--change", "--count", "1") == KEYS[0]["change"]
    assert wallet_addresses(ZPUB, "--start", "1", "--count", "1") == KEYS[0]["receive"][1:]


def test_it_reads_descriptors():
    assert wallet_addresses(TR_DESCRIPTOR, "--count", "2") == [
        "bc1p5cyxnuxmeuwuvkwfem96lqzszd02n6xdcjrs20cac6yqjjwudpxqkedrcr",
        "bc1p4qhjn9zdvkux4e44uhx8tc55attvtyu358kutcqkudyccelu0was9fqzwh",
    ]


def test_it_derives_for_the_network_the_key_names():
    assert all(
        address.startswith("tb1q") for address in wallet_addresses(with_version(ZPUB, "vpub"))
    )


def test_it_refuses_a_private_key_without_echoing_it():
    with pytest.raises(CommandError, match="private key") as refused:
        wallet_addresses(MASTER_XPRV)

    assert MASTER_XPRV not in str(refused.value)
    assert refused.value.__suppress_context__


def test_it_reads_the_key_from_standard_input_when_it_is_a_dash(monkeypatch):
    monkeypatch.setattr("sys.stdin", StringIO(ZPUB + "\n"))

    assert wallet_addresses("-", "--count", "2") == KEYS[0]["receive"]


def test_a_private_key_on_standard_input_is_refused_without_echoing_it(monkeypatch):
    monkeypatch.setattr("sys.stdin", StringIO(MASTER_XPRV + "\n"))

    with pytest.raises(CommandError, match="private key") as refused:
        wallet_addresses("-")

    assert MASTER_XPRV not in str(refused.value)


def test_endless_standard_input_is_refused_as_too_long(monkeypatch):
    monkeypatch.setattr("sys.stdin", StringIO("x" * 1_000_000))

    with pytest.raises(CommandError, match="far too long"):
        wallet_addresses("-")


def test_it_refuses_change_addresses_of_a_key_without_a_change_branch():
    with pytest.raises(CommandError, match="no change branch"):
        wallet_addresses(TR_DESCRIPTOR, "--change")


@pytest.mark.parametrize(
    "option", [("--start", "-1"), ("--count", "-1"), ("--start", "2147483647", "--count", "2")]
)
def test_it_refuses_indexes_outside_the_unhardened_range(option):
    with pytest.raises(CommandError, match="2147483647"):
        wallet_addresses(ZPUB, *option)
