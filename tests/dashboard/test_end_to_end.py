"""Done when: a creator sees a simulated tip on the dashboard and its chart, receives the
signed webhook at a local receiver and verifies it with the documented snippet, and
exports the tip as CSV."""

from __future__ import annotations

import csv
import io
import json
import re

import pytest

from payments.services import tip_create
from tests.api.docs import documented_verify_function
from tests.receiver import webhook_receiver

pytestmark = pytest.mark.django_db


def test_a_creator_follows_a_tip_from_the_chain_to_the_csv(
    creator_client, widget, pay, django_capture_on_commit_callbacks
):
    with webhook_receiver() as receiver:
        response = creator_client.post(
            "/dashboard/webhooks/new/",
            {"url": receiver.url, "events": ["tip.detected", "tip.confirmed"]},
        )
        assert response.status_code == 302
        endpoint_page = creator_client.get(response["Location"]).content.decode()
        secret = endpoint_page.split('<code class="secret">')[1].split("</code>")[0]

        tip = tip_create(
            creator=widget.creator, widget=widget, amount_sats=21_000, name="Bob", message="Merci"
        )
        txid = pay(tip)

    overview = creator_client.get("/dashboard/").content.decode()
    assert "21,000 sats" in overview
    assert "0.00021 BTC" in overview
    assert '<rect class="bar"' in overview
    assert ": 1 tips, 21,000 sats</title>" in overview

    assert receiver.events() == ["tip.detected", "tip.confirmed"]
    confirmed = receiver.requests[1]
    verify = documented_verify_function()
    assert verify(secret, confirmed.headers, confirmed.body)
    assert not verify(secret, confirmed.headers, confirmed.body.replace(b"21000", b"99000"))
    event = json.loads(confirmed.body)
    assert event["data"]["tip"]["id"] == tip.public_id
    assert event["data"]["tip"]["txids"] == [txid]

    with django_capture_on_commit_callbacks(execute=True):
        started = creator_client.post("/dashboard/tips/exports/")
    export_page = creator_client.get(started["Location"]).content.decode()
    link = re.search(r'href="([^"]+/download)"', export_page)
    assert link is not None, export_page
    export = creator_client.get(link.group(1))
    rows = list(csv.reader(io.StringIO(b"".join(export.streaming_content).decode())))
    assert len(rows) == 2
    assert rows[1][1] == tip.public_id
    assert rows[1][2] == "confirmed"
    assert txid in rows[1][rows[0].index("Transactions")]
