"""Property: whatever the chain does, each tip is credited exactly what the final chain says.

Hypothesis generates histories of payments (early, late, partial, several outputs),
blocks, RBF replacements, mempool drops and reorgs, with the watcher running at random
points; at the end the credited totals must equal a recount from the chain source.
"""

from datetime import timedelta

from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra.django import TestCase

from chain.simulated import SimulatedChain
from payments.models import Payment, PaymentState, Tip
from payments.services import tip_create
from payments.tasks import watch_chain, watch_mempool
from tests.factories import CreatorFactory
from tests.payments import histories

OTHER_ADDRESS = "bc1q8c6fshw2dlwun7ekn9qwf37cu2rn755upcp6el"

action = st.one_of(
    st.tuples(st.just("pay"), st.integers(0, 2), st.integers(1, 20_000)),
    st.tuples(st.just("pay_two"), st.integers(0, 2), st.integers(1, 20_000)),
    st.tuples(st.just("mine"), st.integers(1, 3)),
    st.tuples(st.just("replace"), st.integers(0, 50), st.booleans()),
    st.tuples(st.just("drop"), st.integers(0, 50)),
    st.tuples(st.just("reorg"), st.integers(1, 3), st.booleans()),
    st.tuples(st.just("watch")),
)


def chain_totals(chain: SimulatedChain, addresses: list[str]) -> tuple[dict, dict]:
    """Per address: sats in best-chain blocks, and sats in the mempool, read via the interface."""
    confirmed = dict.fromkeys(addresses, 0)
    pending = dict.fromkeys(addresses, 0)
    for height in range(chain.tip().height + 1):
        for tx in chain.block(chain.block_hash(height)).transactions:
            for out in tx.outputs:
                if out.address in confirmed:
                    confirmed[out.address] += out.value_sats
    for tx in chain.mempool_transactions(addresses):
        for out in tx.outputs:
            if out.address in pending:
                pending[out.address] += out.value_sats
    return confirmed, pending


class TestRandomHistories(TestCase):
    @settings(
        max_examples=40,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )
    @given(st.lists(action, max_size=25), st.integers(0, 1))
    def test_credited_totals_equal_what_the_final_chain_says(self, actions, late):
        chain = SimulatedChain.from_settings()
        chain.ensure_genesis()
        creator = CreatorFactory(status="active", min_tip_sats=1000)
        start = timezone.now() - timedelta(minutes=90 * late)
        tips = [tip_create(creator=creator, amount_sats=5000, now=start) for _ in range(3)]
        addresses = [t.address.address for t in tips]
        assert watch_chain() is not None
        assert watch_mempool() is not None
        sent: list[str] = []
        for step in actions:
            kind = step[0]
            mempool = [
                txid
                for txid in sent
                if chain.transaction(txid) is not None and txid in (chain.mempool_txids() or set())
            ]
            if kind == "pay":
                sent.append(chain.send([(addresses[step[1]], step[2])]))
            elif kind == "pay_two":
                sent.append(
                    chain.send(
                        [
                            (addresses[step[1]], step[2]),
                            (OTHER_ADDRESS, 1000),
                            (addresses[(step[1] + 1) % 3], step[2] + 1),
                        ]
                    )
                )
            elif kind == "mine":
                chain.mine(step[1])
            elif kind == "replace" and mempool:
                txid = mempool[step[1] % len(mempool)]
                outputs = [(addresses[step[1] % 3], 777)] if step[2] else [(OTHER_ADDRESS, 777)]
                sent.append(chain.replace(txid, outputs))
            elif kind == "drop" and mempool:
                chain.drop(mempool[step[1] % len(mempool)])
            elif kind == "reorg" and chain.tip().height >= step[1]:
                histories.reorg(chain, step[1], sent, double_spend=step[2])
            elif kind == "watch":
                assert watch_chain() is not None
                assert watch_mempool() is not None
        assert watch_chain() is not None
        assert watch_mempool() is not None

        confirmed, pending = chain_totals(chain, addresses)
        for tip in Tip.objects.filter(pk__in=[t.pk for t in tips]):
            address = tip.address.address
            assert tip.confirmed_sats == confirmed[address], (tip, actions)
            assert tip.received_sats == confirmed[address] + pending[address], (tip, actions)
            assert tip.paid_late == (late and tip.received_sats > 0)
        counted = Payment.objects.filter(state__in=[PaymentState.MEMPOOL, PaymentState.CONFIRMED])
        assert counted.count() == counted.values("txid", "vout").distinct().count()
