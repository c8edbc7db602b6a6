"""Public ids of tips and webhook endpoints: unguessable, URL-safe, usable on a command line."""

from __future__ import annotations

import base64
import string
from io import StringIO
from unittest import mock

from django.core.management import call_command
from hypothesis import given
from hypothesis import strategies as st

from payments.models import Tip, new_public_id

URL_SAFE_BASE64 = set(string.ascii_letters + string.digits + "-_")
# 16 random bytes whose base64 starts with "-": a first byte 0xF8-0xFB (top six bits 62).
dash_draws = st.builds(
    lambda first, rest: bytes([first]) + rest,
    st.integers(min_value=0xF8, max_value=0xFB),
    st.binary(min_size=15, max_size=15),
)
other_draws = st.binary(min_size=16, max_size=16).filter(lambda draw: draw[0] >> 2 != 62)


def test_many_ids_never_start_with_a_dash():
    # Before the rule, 1 id in 64 did: 10,000 ids would all pass with odds of about e^-157.
    assert not any(new_public_id().startswith("-") for _ in range(10_000))


@given(thrown_away=st.lists(dash_draws, max_size=3), kept=other_draws)
def test_an_id_is_the_first_random_draw_that_does_not_start_with_a_dash(thrown_away, kept):
    """Each id is 16 random bytes in URL-safe base64, as before: only a draw whose text would
    start with "-" is replaced by the next draw, so nothing else about ids changes."""
    with mock.patch("secrets.token_bytes", side_effect=[*thrown_away, kept]):
        public_id = new_public_id()

    assert public_id == base64.urlsafe_b64encode(kept).decode().rstrip("=")
    assert len(public_id) == 22 and set(public_id) <= URL_SAFE_BASE64


def test_simulate_payment_pays_a_tip_made_before_the_rule_whose_id_starts_with_a_dash(
    make_tip, chain
):
    tip = make_tip(5000)
    old_id = "-" + tip.public_id[1:]
    Tip.objects.filter(pk=tip.pk).update(public_id=old_id)
    out = StringIO()

    call_command("simulate_payment", "--", old_id, stdout=out)

    assert f"sent 5000 sats to {tip.address.address}" in out.getvalue()
