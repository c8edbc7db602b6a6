"""Property: the last used index that allocation reads under the key's lock is always what
a full recount of the key's history gives, whatever the chain did (payments, blocks,
replacements, drops, reorgs), so a reorg never leaves allocation with a stale value."""

from django.db.models import Max
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra.django import TestCase

from chain.simulated import SimulatedChain
from creators.selectors import wallet_key_active
from payments.onchain.addresses import last_used_index, paid_on_chain
from payments.services import tip_create
from payments.tasks import watch_chain
from tests.factories import CreatorFactory
from tests.payments import histories

TIPS = 6

action = st.one_of(
    st.tuples(st.just("pay"), st.integers(0, TIPS - 1)),
    st.tuples(st.just("mine"), st.integers(1, 2)),
    st.tuples(st.just("replace"), st.integers(0, 50)),
    st.tuples(st.just("drop"), st.integers(0, 50)),
    st.tuples(st.just("reorg"), st.integers(1, 3), st.booleans()),
    st.tuples(st.just("watch")),
)


def chain_recount(chain: SimulatedChain, indexes: dict[str, int]) -> int:
    """Highest index with an output in a best-chain block, read from the chain itself."""
    top = -1
    for height in range(chain.tip().height + 1):
        for tx in chain.block(chain.block_hash(height)).transactions:
            for out in tx.outputs:
                if out.address is not None:
                    top = max(top, indexes.get(out.address, -1))
    return top


class TestLastUsedIndex(TestCase):
    @settings(
        max_examples=30,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )
    @given(st.lists(action, max_size=20))
    def test_the_last_used_index_equals_a_full_recount_after_any_history(self, actions):
        chain = SimulatedChain.from_settings()
        chain.ensure_genesis()
        creator = CreatorFactory(status="active", min_tip_sats=1000)
        tips = [tip_create(creator=creator, amount_sats=5000) for _ in range(TIPS)]
        indexes = {t.address.address: t.address.index for t in tips}
        key = wallet_key_active(creator=creator)
        assert key is not None
        assert watch_chain() is not None
        sent: list[str] = []
        for step in actions:
            kind = step[0]
            mempool = [t for t in sent if t in (chain.mempool_txids() or set())]
            if kind == "pay":
                sent.append(chain.send([(tips[step[1]].address.address, 5000)]))
            elif kind == "mine":
                chain.mine(step[1])
            elif kind == "replace" and mempool:
                txid = mempool[step[1] % len(mempool)]
                target = tips[step[1] % TIPS].address.address
                sent.append(chain.replace(txid, [(target, 4000)]))
            elif kind == "drop" and mempool:
                chain.drop(mempool[step[1] % len(mempool)])
            elif kind == "reorg" and chain.tip().height >= step[1]:
                histories.reorg(chain, step[1], sent, double_spend=step[2])
            elif kind == "watch":
                assert watch_chain() is not None
                recount = paid_on_chain(key).aggregate(top=Max("index"))["top"]
                assert last_used_index(key) == (-1 if recount is None else recount), actions
        assert watch_chain() is not None

        assert last_used_index(key) == chain_recount(chain, indexes), actions
