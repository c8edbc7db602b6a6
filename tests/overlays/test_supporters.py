"""Top supporters: one row per supporter, whatever the case or spacing of the name typed."""

from __future__ import annotations

import pytest
from django.utils import timezone

from overlays.selectors import supporters_state
from overlays.services import overlay_settings_update
from payments.services import tip_create

pytestmark = pytest.mark.django_db


def test_top_supporters_group_a_name_typed_with_other_case_or_spaces(creator, overlay, pay):
    overlay_settings_update(overlay=overlay, supporters_mode="top")
    for name, sats in [("Bob Smith", 3000), ("bob  smith", 4000), ("Carol", 5000)]:
        pay(tip_create(creator=creator, amount_sats=sats, name=name, name_public=True))

    rows = supporters_state(overlay, now=timezone.now())["rows"]

    assert [row["amount_sats"] for row in rows] == [7000, 5000]
    assert rows[0]["name"].lower().split() == ["bob", "smith"]
    assert rows[1] == {"name": "Carol", "amount_sats": 5000}
