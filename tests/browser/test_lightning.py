"""A viewer tips over Lightning from a widget on another site, with a browser wallet (a
stubbed `window.webln`), and sees the payment confirmed without a reload."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from payments.lightning.simulated import simulated_invoice_pay
from payments.models import LightningInvoice, Tip
from tests.factories import CreatorFactory
from tests.lightning.doubles import connect_simulated
from widgets.services import widget_create

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# What a WebLN wallet extension puts on the page: this one only records the invoice.
WEBLN_STUB = """
window.webln = {
  enable: async () => {},
  sendPayment: async (invoice) => { window.weblnPaid = invoice; return {preimage: ""}; },
};
"""


def test_a_viewer_pays_a_small_tip_with_webln_and_sees_it_paid_without_a_reload(
    live_server, other_site, open_page
):
    creator = CreatorFactory(handle="alice", display_name="Alice Films", min_tip_sats=10)
    connect_simulated(creator)
    widget = widget_create(creator=creator, label="Videos", min_tip_sats=10)
    page = open_page()
    page.add_init_script(WEBLN_STUB)
    page.goto(
        other_site.serve(
            f'<script src="{live_server.url}/embed.js" data-widget="{widget.public_id}" '
            "async></script>"
        )
    )
    frame = page.frame_locator("iframe")
    frame.get_by_label("Amount in sats").fill("2100")
    frame.get_by_role("button", name="Tip 2,100 sats").click()

    pay = frame.get_by_role("button", name="Pay with the browser's wallet (WebLN)")
    expect(pay).to_be_visible()
    tip = Tip.objects.get()
    invoice = LightningInvoice.objects.get(tip=tip)
    expect(frame.locator("#tip-invoice")).to_have_text(invoice.bolt11)
    screen = page.locator("iframe").element_handle().content_frame()
    screen.evaluate("window.notReloaded = true")
    pay.click()
    screen.wait_for_function("() => window.weblnPaid !== undefined")
    assert screen.evaluate("window.weblnPaid") == invoice.bolt11

    # The wallet's notification: the creator's wallet reports the payment.
    simulated_invoice_pay(tip=tip)

    expect(frame.get_by_role("status")).to_have_text("Payment confirmed.")
    assert screen.evaluate("window.notReloaded") is True
