"""The simulated chain: the same interface as a real source, scripted from tests and commands."""

from __future__ import annotations

import threading

import pytest
from django.db import connection

from chain import NotFound, Transaction, TxOutput, get_chain_source
from chain.bitcoind import BitcoindChain
from chain.esplora import EsploraChain
from chain.models import SimulatedBlock, SimulatedTransaction
from chain.simulated import GENESIS_HASH, SimulatedChain

ALICE = "bc1qalice"
BOB = "bc1qbob"

pytestmark = pytest.mark.django_db


@pytest.fixture
def chain() -> SimulatedChain:
    return SimulatedChain()


@pytest.mark.parametrize(
    ("configured", "source_class"),
    [("simulated", SimulatedChain), ("esplora", EsploraChain), ("bitcoind", BitcoindChain)],
)
def test_the_site_reads_the_chain_source_it_is_configured_for(
    settings, configured: str, source_class: type
) -> None:
    settings.BITCACHE_CHAIN_SOURCE = configured
    # Nothing is fetched until the source is used: these addresses are never contacted.
    settings.BITCACHE_ESPLORA_URL = "http://127.0.0.1:9/api"
    settings.BITCACHE_BITCOIND_URL = "http://user:password@127.0.0.1:9"

    assert type(get_chain_source()) is source_class


def test_a_new_chain_starts_at_its_genesis_block(chain: SimulatedChain) -> None:
    tip = chain.tip()

    assert (tip.height, tip.hash, tip.prev_hash) == (0, GENESIS_HASH, "0" * 64)
    assert chain.block_hash(0) == GENESIS_HASH


def test_a_sent_transaction_waits_in_the_mempool(chain: SimulatedChain) -> None:
    txid = chain.send([(ALICE, 1500), (BOB, 20)])

    assert chain.mempool_txids() == {txid}
    assert chain.transaction(txid) == Transaction(
        txid, (TxOutput(0, 1500, ALICE), TxOutput(1, 20, BOB))
    )
    assert [tx.txid for tx in chain.mempool_transactions([ALICE])] == [txid]
    assert chain.mempool_transactions(["bc1qsomeoneelse"]) == []


def test_mining_puts_the_mempool_in_a_block(chain: SimulatedChain) -> None:
    first = chain.send([(ALICE, 1500)])
    second = chain.send([(BOB, 700)])

    (block_hash,) = chain.mine()

    block = chain.block(block_hash)
    assert (block.height, block.header.prev_hash) == (1, GENESIS_HASH)
    assert [tx.txid for tx in block.transactions] == [first, second]
    assert chain.tip().hash == block_hash == chain.block_hash(1)
    assert chain.mempool_txids() == set()
    assert chain.transaction(first) is not None  # still known, now confirmed


def test_mining_several_blocks_chains_them(chain: SimulatedChain) -> None:
    chain.send([(ALICE, 1500)])

    hashes = chain.mine(3)

    blocks = [chain.block(block_hash) for block_hash in hashes]
    assert [block.height for block in blocks] == [1, 2, 3]
    assert [block.header.prev_hash for block in blocks[1:]] == hashes[:2]
    assert [len(block.transactions) for block in blocks] == [1, 0, 0]


def test_mining_can_leave_the_mempool_alone(chain: SimulatedChain) -> None:
    txid = chain.send([(ALICE, 1500)])

    (block_hash,) = chain.mine(include_mempool=False)

    assert chain.block(block_hash).transactions == ()
    assert chain.mempool_txids() == {txid}


def test_confirm_mines_just_that_transaction(chain: SimulatedChain) -> None:
    paid = chain.send([(ALICE, 1500)])
    other = chain.send([(BOB, 700)])

    block_hash = chain.confirm(paid)

    assert [tx.txid for tx in chain.block(block_hash).transactions] == [paid]
    assert chain.mempool_txids() == {other}


def test_replace_by_fee_swaps_the_transaction(chain: SimulatedChain) -> None:
    original = chain.send([(ALICE, 1500)])

    replacement = chain.replace(original, [(BOB, 1400)])

    assert chain.mempool_txids() == {replacement}
    assert chain.transaction(original) is None
    assert chain.mempool_transactions([ALICE]) == []
    assert SimulatedTransaction.objects.get(txid=original).replaced_by == replacement


def test_a_replacement_may_pay_nobody(chain: SimulatedChain) -> None:
    replacement = chain.replace(chain.send([(ALICE, 1500)]), [])

    assert chain.transaction(replacement) == Transaction(replacement, ())


def test_a_dropped_transaction_is_forgotten(chain: SimulatedChain) -> None:
    txid = chain.send([(ALICE, 1500)])

    chain.drop(txid)

    assert chain.mempool_txids() == set()
    assert chain.transaction(txid) is None


def test_a_reorg_changes_the_hashes_and_mines_the_transactions_again(
    chain: SimulatedChain,
) -> None:
    txid = chain.send([(ALICE, 1500)])
    (old_hash,) = chain.mine()

    new_hashes = chain.reorg(1)

    assert len(new_hashes) == 2
    assert chain.block_hash(1) == new_hashes[0] != old_hash
    assert chain.tip().height == 2
    assert [tx.txid for tx in chain.block(new_hashes[0]).transactions] == [txid]
    # The old block can still be read, as a node keeps stale blocks, but is off the best chain.
    assert chain.block(old_hash).transactions == ()
    assert not SimulatedBlock.objects.get(block_hash=old_hash).on_best_chain


def test_a_reorg_can_drop_a_transaction(chain: SimulatedChain) -> None:
    kept = chain.send([(ALICE, 1500)])
    double_spent = chain.send([(BOB, 700)])
    chain.mine()

    new_hashes = chain.reorg(1, drop_txids=[double_spent])

    assert [tx.txid for tx in chain.block(new_hashes[0]).transactions] == [kept]
    assert chain.transaction(double_spent) is None


def test_a_reorg_to_a_shorter_chain_sends_transactions_back_to_the_mempool(
    chain: SimulatedChain,
) -> None:
    txid = chain.send([(ALICE, 1500)])
    chain.mine(2)

    assert chain.reorg(2, new_blocks=0) == []

    assert chain.tip().height == 0
    assert chain.mempool_txids() == {txid}
    with pytest.raises(NotFound):
        chain.block_hash(1)


@pytest.mark.parametrize("depth", [0, 2])
def test_a_reorg_cannot_replace_the_genesis_block(chain: SimulatedChain, depth: int) -> None:
    chain.mine()

    with pytest.raises(ValueError, match="genesis stays"):
        chain.reorg(depth)


def test_a_reorg_refuses_to_drop_a_transaction_it_does_not_disconnect(
    chain: SimulatedChain,
) -> None:
    chain.mine()

    with pytest.raises(ValueError, match="not in the reorganised blocks"):
        chain.reorg(1, drop_txids=["ff" * 32])


@pytest.mark.parametrize(
    "outputs", [[("", 1)], [(ALICE, 0)], [(ALICE, -5)], [(ALICE, 1.5)], [(ALICE, True)]]
)
def test_it_refuses_outputs_that_are_not_payments(chain: SimulatedChain, outputs: list) -> None:
    with pytest.raises(ValueError):
        chain.send(outputs)


def test_only_mempool_transactions_can_be_replaced_dropped_or_confirmed(
    chain: SimulatedChain,
) -> None:
    txid = chain.send([(ALICE, 1500)])
    chain.mine()

    for action in (lambda: chain.replace(txid, []), lambda: chain.drop(txid)):
        with pytest.raises(ValueError, match="not in the simulated mempool"):
            action()
    with pytest.raises(ValueError, match="not in the simulated mempool"):
        chain.confirm(txid)


def test_unknown_blocks_and_heights_are_not_found(chain: SimulatedChain) -> None:
    chain.tip()

    with pytest.raises(NotFound):
        chain.block_hash(1)
    with pytest.raises(NotFound):
        chain.block("ff" * 32)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_processes_mining_at_once_build_one_chain() -> None:
    SimulatedChain().ensure_genesis()
    errors: list[BaseException] = []

    def mine_five() -> None:
        try:
            for _ in range(5):
                SimulatedChain().mine()
        except BaseException as exc:  # reported by the assertion below
            errors.append(exc)
        finally:
            connection.close()

    workers = [threading.Thread(target=mine_five) for _ in range(2)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()

    assert errors == []
    chain = SimulatedChain()
    assert chain.tip().height == 10
    hashes = [chain.block_hash(height) for height in range(11)]
    assert [chain.block(h).header.prev_hash for h in hashes[1:]] == hashes[:-1]
