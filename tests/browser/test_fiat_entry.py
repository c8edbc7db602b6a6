"""A viewer switches the amount to euros, is told the minimum in euros, and tips 3 EUR,
in French, in a real browser. Static rates: 1 BTC = 90,000 EUR."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from payments.models import Tip
from tests.factories import CreatorFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_french_viewer_tips_in_euros(live_server, open_page, static_rates):
    CreatorFactory(
        handle="alice", min_tip_sats=1000, display_currency="EUR", min_tip_fiat=Decimal("2")
    )
    page = open_page(locale="fr-FR", width=480, height=1000)
    page.goto(f"{live_server.url}/@alice")

    page.get_by_role("button", name="Saisir le montant en EUR").click()
    amount = page.get_by_label("Montant en EUR")
    expect(amount).to_be_focused()
    expect(page.get_by_label("Montant en sats")).to_be_hidden()
    amount.fill("1,50")
    page.get_by_role("button", name="Envoyer le pourboire").click()
    expect(page.get_by_text(re.compile("Le pourboire minimum est de 2,00"))).to_be_visible()
    assert Tip.objects.count() == 0

    amount.fill("3")
    expect(page.locator("[data-btc]")).to_have_text(re.compile("3\\s333 sats"))
    page.get_by_role("button", name=re.compile("3\\s333 sats")).click()
    expect(page.locator(".fiat")).to_have_text(re.compile("3,00"))
    tip = Tip.objects.get()
    assert (tip.amount_sats, tip.rate_currency) == (3333, "EUR")
