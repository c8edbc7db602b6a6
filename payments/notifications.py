"""The creator's email when a tip is confirmed."""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.urls import reverse

from btc.money import format_btc
from creators.emails import email_creator
from payments.models import Tip, TipConfirmationEmail, TipStatus


def tip_confirmed_notify(*, tip: Tip) -> bool:
    """Email the creator that `tip` is confirmed, unless they opted out. Once per tip:
    a re-run, a second worker or a tip confirmed again after a reorg sends nothing more."""
    creator = tip.creator
    if tip.status != TipStatus.CONFIRMED or not creator.notify_on_confirmed_tip:
        return False
    if not creator.user.email:
        return False
    try:
        with transaction.atomic():
            # The row is the record that the email went out; a failed send rolls it
            # back, so the task's retry sends it.
            TipConfirmationEmail.objects.create(tip=tip)
            email_creator(
                creator,
                "payments/email/tip_confirmed",
                {
                    "tip": tip,
                    "btc": format_btc(tip.confirmed_sats),
                    "tip_url": reverse("creators:tip", args=[tip.public_id]),
                },
            )
    except IntegrityError:
        return False  # already sent
    return True
