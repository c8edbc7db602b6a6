"""/dashboard/tips/<id>/: one tip in full, and hiding its message from public pages."""

from __future__ import annotations

import pytest
from django.utils.html import escape

from tests.factories import CreatorFactory

pytestmark = pytest.mark.django_db


def test_it_shows_the_tip_in_full(creator_client, make_tip, pay):
    tip = make_tip(5000, name="Bob", message="<b>hi</b>")
    txid = pay(tip)

    response = creator_client.get(f"/dashboard/tips/{tip.public_id}/")

    assert response.status_code == 200
    page = response.content.decode()
    assert tip.address.address in page
    assert f"<code>{tip.address.derivation_path}</code>" in page
    assert escape(tip.address.wallet_key.descriptor) in page
    assert f"{txid}:" in page
    assert "1 of 1" in page  # confirmations
    assert "&lt;b&gt;hi&lt;/b&gt;" in page


def test_it_handles_another_creators_tip(creator_client, make_tip):
    theirs = make_tip(for_creator=CreatorFactory())

    assert creator_client.get(f"/dashboard/tips/{theirs.public_id}/").status_code == 404


def test_it_hides_a_message_from_public_pages(creator_client, creator, make_tip):
    tip = make_tip(message="spam spam")
    page = creator_client.get(f"/dashboard/tips/{tip.public_id}/").content.decode()
    assert f'action="/dashboard/messages/{tip.public_id}"' in page
    assert 'name="do" value="hide"' in page

    creator_client.post(f"/dashboard/messages/{tip.public_id}", {"do": "hide"})

    tip.refresh_from_db()
    assert tip.message_hidden is True
    assert tip.message_hidden_by == creator.user
    page = creator_client.get(f"/dashboard/tips/{tip.public_id}/").content.decode()
    assert 'name="do" value="show"' in page
