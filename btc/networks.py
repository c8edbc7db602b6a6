"""The bitcoin networks a site can run on, and how each one spells its addresses."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Network:
    name: str
    # testnet, signet and regtest share extended-key prefixes (tpub/upub/vpub), so a key
    # only tells us "mainnet" or "one of the test networks".
    is_test: bool
    p2pkh_version: bytes
    p2sh_version: bytes
    bech32_hrp: str


NETWORKS: dict[str, Network] = {
    network.name: network
    for network in (
        Network(
            "mainnet", is_test=False, p2pkh_version=b"\x00", p2sh_version=b"\x05", bech32_hrp="bc"
        ),
        Network(
            "testnet", is_test=True, p2pkh_version=b"\x6f", p2sh_version=b"\xc4", bech32_hrp="tb"
        ),
        Network(
            "signet", is_test=True, p2pkh_version=b"\x6f", p2sh_version=b"\xc4", bech32_hrp="tb"
        ),
        Network(
            "regtest", is_test=True, p2pkh_version=b"\x6f", p2sh_version=b"\xc4", bech32_hrp="bcrt"
        ),
    )
}


def get_network(name: str) -> Network:
    """The named network; an unknown name is a configuration error, not a user error."""
    try:
        return NETWORKS[name]
    except KeyError:
        raise ValueError(
            f"Unknown bitcoin network {name!r}; expected one of {list(NETWORKS)}."
        ) from None
