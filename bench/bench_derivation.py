"""Address derivation rate: btc (coincurve) against bitcoinlib (target: >= 10x).

Both derive the same receive addresses, indexes 0 to COUNT-1 of the BIP84 vector zpub, and
both start from the receive branch key (…/0) derived once beforehand, as WatchKey does, so
each address costs one public child derivation plus encoding. The addresses must agree.

Run: python bench/bench_derivation.py (or via bench/run.py). No database needed.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
ZPUB = (
    "zpub6rFR7y4Q2AijBEqTUquhVz398htDFrtymD9xYYfG1m4wAcvPhXNfE3EfH1r1ADqtfSdVCToUG868RvUUkgDKf"
    "31mGDtKsAYz2oz2AGutZYs"
)
TR_DESCRIPTOR = (
    "tr([73c5da0a/86h/0h/0h]xpub6BgBgsespWvERF3LHQu6CnqdvfEvtMcQjYrcRzx53QJjSxarj2afYWcLteoGVky"
    "7D3UKDP9QyrLprQ3VCECoY49yfdDEHGCtMMj92pReUsQ/0/*)#se42yddx"
)
COUNT = 1000


def main() -> None:
    sys.path.insert(0, str(ROOT))
    # bitcoinlib writes ~/.bitcoinlib on import unless told where its data goes.
    os.environ.setdefault("BCL_DATA_DIR", str(ROOT / "var" / "bitcoinlib"))
    from bitcoinlib.keys import HDKey

    from bench.common import median_seconds, table
    from btc import parse_key

    indexes = range(COUNT)
    bitcoinlib_branch = HDKey(ZPUB).child_public(0)
    ours = parse_key(ZPUB)
    taproot = parse_key(TR_DESCRIPTOR)

    def bitcoinlib_addresses() -> list[str]:
        return [bitcoinlib_branch.child_public(index).address() for index in indexes]

    def our_addresses() -> list[str]:
        return [ours.address(index) for index in indexes]

    def our_taproot_addresses() -> list[str]:
        return [taproot.address(index) for index in indexes]

    if bitcoinlib_addresses() != our_addresses():
        raise SystemExit("bitcoinlib and btc derived different addresses")

    bitcoinlib_seconds = median_seconds(bitcoinlib_addresses, repeat=3)
    our_seconds = median_seconds(our_addresses)
    taproot_seconds = median_seconds(our_taproot_addresses)
    rows = [
        [name, f"{COUNT / seconds:,.0f}", f"{seconds * 1000:,.1f} ms"]
        for name, seconds in [
            ("bitcoinlib 0.7.10 `HDKey.child_public` (p2wpkh)", bitcoinlib_seconds),
            ("btc `WatchKey.address` (p2wpkh)", our_seconds),
            ("btc `WatchKey.address` (p2tr; bitcoinlib gets it wrong)", taproot_seconds),
        ]
    ]
    print(f"### Address derivation ({COUNT:,} receive addresses, median of runs)\n")
    print(table(["implementation", "addresses/s", f"time for {COUNT:,}"], rows))
    print(f"\nbtc / bitcoinlib: **{bitcoinlib_seconds / our_seconds:.1f}x** (target >= 10x)")


if __name__ == "__main__":
    main()
