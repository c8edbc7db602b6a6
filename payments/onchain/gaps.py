"""Gap health kept as payments move: each key's highest paid index and its unpaid runs.

A receive index is *paid* while its address has a payment in a block (CONFIRMED): what a
wallet's gap scan finds (payments.onchain.addresses.paid_on_chain). Per key, GapState
holds the highest paid index and GapRun every maximal run of unpaid indexes below it, so
the two together are the key's paid set, and the overview's gap health is two index
probes (`gap_health_read`), whatever the creator's history.

Maintained in the transaction that moves a payment into or out of CONFIRMED: the block
scan (payment_observe with a block) and a reorg's rollback (payments_revert_above); no
other code path changes whether a payment is in a block (the mempool watcher only moves
mempool payments, and never takes a confirmed one back). `gaps_sync` does not trust the
caller about what changed: for each touched index it re-reads, under the key's lock,
whether the address has a payment in a block now, and compares with what the runs say it
was. When an index becomes paid the run holding it is split (or, above the highest, the
run up to it is added); when it becomes unpaid its neighbouring runs are merged (or, at
the top, the highest falls to the paid index below). Each is a few probes of the
(wallet_key, start) and (wallet_key, -length) indexes: O(log n) per change.

Lock order: the key's GapState row (created on first use) is its runs' lock. It is taken
after the transaction's payment and address rows and before its tips and rollups
(tips_refresh), keys in id order, and allocation never takes it; a recount
(`gap_health_rebuild`) locks both tables first and reads payments without locking them.
So no two transactions wait for each other in a cycle.

Derived data: `gaps_rebuild` (the `gap_health_rebuild` command) recounts it from the
payments with the window query of `gap_health_recount`; a property test compares the
kept value with the recount after random histories.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from django.db import connection, transaction

from payments.models import Address, GapRun, GapState, Payment, PaymentState


class GapChanges:
    """Addresses a transaction may have moved into or out of "paid in a block"; `write`
    brings their keys' runs up to date, in the lock order. Call it before tips_refresh."""

    def __init__(self) -> None:
        self.address_ids: set[int] = set()

    def touched(self, address_id: int) -> None:
        self.address_ids.add(address_id)

    def write(self) -> None:
        ids, self.address_ids = self.address_ids, set()
        gaps_sync(ids)


def gaps_sync(address_ids: Iterable[int]) -> None:
    """Bring the runs of the keys of `address_ids` up to date with their payments.

    Call inside the transaction that changed the payments, after those changes. Change
    addresses are not receive indexes and are ignored.
    """
    ids = sorted(set(address_ids))
    if not ids:
        return
    by_key: defaultdict[int, list[tuple[int, int]]] = defaultdict(list)
    for pk, key_id, index in Address.objects.filter(pk__in=ids, change=False).values_list(
        "pk", "wallet_key_id", "index"
    ):
        by_key[key_id].append((index, pk))
    with transaction.atomic():
        for key_id in sorted(by_key):
            state = _lock(key_id)
            for index, address_id in sorted(by_key[key_id]):
                paid = Payment.objects.filter(
                    address_id=address_id, state=PaymentState.CONFIRMED
                ).exists()
                _index_is(state, index, paid=paid)
            state.save(update_fields=["highest_paid_index"])


def _lock(key_id: int) -> GapState:
    """The key's GapState row, locked until the transaction ends (created if missing)."""
    GapState.objects.bulk_create([GapState(wallet_key_id=key_id)], ignore_conflicts=True)
    return GapState.objects.select_for_update().get(wallet_key_id=key_id)


def _run_at_or_below(key_id: int, index: int) -> GapRun | None:
    return GapRun.objects.filter(wallet_key_id=key_id, start__lte=index).order_by("-start").first()


def _index_is(state: GapState, index: int, *, paid: bool) -> None:
    """Record that `index` of the state's key is (or is not) paid; nothing if it already was."""
    key_id = state.wallet_key_id
    highest = state.highest_paid_index
    below = _run_at_or_below(key_id, index) if index <= highest else None
    in_run = below is not None and index < below.start + below.length
    was_paid = index <= highest and not in_run
    if paid == was_paid:
        return
    if paid:
        if index > highest:
            # The indexes between the old highest and this one are a new run.
            if index - highest > 1:
                GapRun.objects.create(
                    wallet_key_id=key_id, start=highest + 1, length=index - highest - 1
                )
            state.highest_paid_index = index
            return
        # Split the run holding it.
        assert below is not None
        end = below.start + below.length
        if index > below.start:
            below.length = index - below.start
            below.save(update_fields=["length"])
        else:
            below.delete()
        if end - index - 1 > 0:
            GapRun.objects.create(wallet_key_id=key_id, start=index + 1, length=end - index - 1)
        return
    # No longer paid: join the run ending just below it (if any) with the one just above.
    left = _run_at_or_below(key_id, index - 1) if index > 0 else None
    if left is not None and left.start + left.length != index:
        left = None
    if index == highest:
        # The top falls to the paid index below: the one before the run under it, if any.
        if left is not None:
            state.highest_paid_index = left.start - 1
            left.delete()
        else:
            state.highest_paid_index = index - 1
        return
    right = GapRun.objects.filter(wallet_key_id=key_id, start=index + 1).first()
    length = 1 + (right.length if right is not None else 0)
    if right is not None:
        right.delete()
    if left is not None:
        left.length += length
        left.save(update_fields=["length"])
    else:
        GapRun.objects.create(wallet_key_id=key_id, start=index, length=length)


# Table names are the models' own, never user input.
_STATE = GapState._meta.db_table
_RUN = GapRun._meta.db_table

# Per key, every receive index with a payment in a block and the paid index before it.
_PAID_SQL = """
    SELECT a.wallet_key_id AS key_id, a.index AS index,
           LAG(a.index, 1, -1) OVER (PARTITION BY a.wallet_key_id ORDER BY a.index) AS previous
    FROM payments_address a
    WHERE a.change = false {key_filter}
      AND EXISTS (SELECT 1 FROM payments_payment p
                  WHERE p.address_id = a.id AND p.state = 'confirmed')
"""


def gaps_rebuild(*, wallet_key_id: int | None = None) -> int:
    """Recount the kept gap health from the payments (every key, or one), in SQL: no index
    goes through Python. Returns how many runs were written.

    Both tables are locked first (in the writers' order), so a payment moving meanwhile
    is either in the recount or synced after it, never lost.
    """
    key_filter = "" if wallet_key_id is None else "AND a.wallet_key_id = %(key)s"
    params = {"key": wallet_key_id}
    paid = _PAID_SQL.format(key_filter=key_filter)
    only = "" if wallet_key_id is None else "WHERE wallet_key_id = %(key)s"
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(f"LOCK TABLE {_STATE}, {_RUN} IN EXCLUSIVE MODE")
        cursor.execute(f"DELETE FROM {_RUN} {only}", params)  # noqa: S608
        cursor.execute(f"DELETE FROM {_STATE} {only}", params)  # noqa: S608
        cursor.execute(
            f"INSERT INTO {_STATE} (wallet_key_id, highest_paid_index) "  # noqa: S608
            f"SELECT key_id, MAX(index) FROM ({paid}) paid GROUP BY key_id",
            params,
        )
        cursor.execute(
            f"INSERT INTO {_RUN} (wallet_key_id, start, length) "  # noqa: S608
            f"SELECT key_id, previous + 1, index - previous - 1 FROM ({paid}) paid "
            f"WHERE index - previous > 1",
            params,
        )
        return cursor.rowcount
