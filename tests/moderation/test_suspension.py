"""Suspension stops new tips, never the watching of tips already made: money is never ignored."""

from __future__ import annotations

import pytest

from moderation.services import creator_suspend
from payments.models import Tip, TipStatus
from payments.services import TipRefused, tip_create
from payments.tasks import watch_chain

pytestmark = pytest.mark.django_db


def test_a_suspended_creators_open_tip_is_still_credited(chain, creator, make_tip, moderator):
    tip = make_tip()
    creator_suspend(creator=creator, actor=moderator, reason="Under investigation.")

    chain.send([(tip.address.address, 5000)])
    chain.mine(1)
    watch_chain()

    tip.refresh_from_db()
    assert tip.status == TipStatus.CONFIRMED
    assert tip.confirmed_sats == 5000


def test_a_suspended_creator_gets_no_new_tips(client, creator, moderator):
    creator_suspend(creator=creator, actor=moderator, reason="Under investigation.")

    with pytest.raises(TipRefused):
        tip_create(creator=creator, amount_sats=5000)
    response = client.post("/@alice", {"amount_sats": "5000"})

    assert response.status_code == 403
    assert "not accepting tips" in response.content.decode()
    assert not Tip.objects.exists()
