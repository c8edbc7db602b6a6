"""Block scan cost vs the number of watched addresses (target: 1M/100 time ratio <= 1.5).

A 3,000-transaction block (two outputs each, ten paying watched addresses) is scanned
against 100, 100,000 and 1,000,000 watched addresses on PostgreSQL. Each scan runs in a
transaction that is rolled back, so every sample does the same work.
"""

from __future__ import annotations

import hashlib
import io
import secrets

from bench.common import median_seconds, setup_django, table

SIZES = (100, 100_000, 1_000_000)
BLOCK_TXS = 3000


class Rollback(Exception):
    pass


def fake_address(n: int) -> str:
    return "bc1q" + hashlib.sha256(f"bench-{n}".encode()).hexdigest()[:38]


def populate(upto: int, have: int, wallet_key) -> None:
    """COPY addresses `have`..`upto` into the table (COPY: 1M rows in seconds)."""
    from django.db import connection
    from django.utils import timezone

    now = timezone.now().isoformat()
    buffer = io.StringIO()
    for n in range(have, upto):
        buffer.write(
            f"{wallet_key.creator_id}\t{wallet_key.pk}\t{n}\tf\t{fake_address(n)}\tf\t"
            f"{now}\t\\N\t{now}\n"
        )
    buffer.seek(0)
    columns = (
        "creator_id, wallet_key_id, index, change, address, used, reserved_until, "
        "mempool_polled_at, created_at"
    )
    with connection.cursor() as cursor:
        with cursor.connection.cursor().copy(
            f"COPY payments_address ({columns}) FROM STDIN"
        ) as copy:
            copy.write(buffer.getvalue())
        cursor.execute("ANALYZE payments_address")


def make_block(paying: list[str]):
    from chain import Block, BlockHeader, Transaction, TxOutput

    txs = []
    for i in range(BLOCK_TXS):
        outs = [
            TxOutput(0, 10_000 + i, "bc1q" + secrets.token_hex(19)),
            TxOutput(1, 20_000 + i, "bc1q" + secrets.token_hex(19)),
        ]
        if i < len(paying):
            outs[1] = TxOutput(1, 5000, paying[i])
        txs.append(Transaction(secrets.token_hex(32), tuple(outs)))
    header = BlockHeader(height=800_001, hash=secrets.token_hex(32), prev_hash="00" * 32)
    return Block(header, tuple(txs))


def main() -> str:
    setup_django()
    from django.db import transaction
    from django.utils import timezone

    from chain.models import ChainState
    from payments.models import Address, Tip
    from payments.onchain.watcher import ScanReport, scan_block
    from tests.factories import CreatorFactory

    creator = CreatorFactory(status="active")
    key = creator.wallet_keys.get()
    ChainState.objects.update_or_create(pk=1, defaults={"height": 800_000, "block_hash": "00" * 32})
    populate(SIZES[0], 0, key)
    paying = [fake_address(n) for n in range(10)]
    now = timezone.now()
    for address in Address.objects.filter(address__in=paying):
        Tip.objects.create(
            creator=creator,
            address=address,
            amount_sats=5000,
            minimum_sats=1000,
            expires_at=now,
            watch_until=now,
        )
    block = make_block(paying)

    def scan():
        try:
            with transaction.atomic():
                scan_block(block, now=now, report=ScanReport())
                raise Rollback
        except Rollback:
            pass

    rows, have, baseline = [], SIZES[0], None
    for size in SIZES:
        populate(size, have, key)
        have = size
        seconds = median_seconds(scan, repeat=7)
        baseline = baseline or seconds
        rows.append([f"{size:,}", f"{seconds * 1000:.1f} ms", f"{seconds / baseline:.2f}"])
    return "### Block scan: 3,000-transaction block vs watched addresses (PostgreSQL)\n\n" + table(
        ["watched addresses", "scan time (median of 7)", "ratio vs 100"], rows
    )


if __name__ == "__main__":
    print(main())
