"""Emails to creators about their tips: confirmed, or taken back by the network."""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from btc.money import format_btc
from creators.emails import email_creator
from payments.models import Tip, TipConfirmationEmail, TipReversal, TipStatus


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


def tip_reversed_notify(*, tip: Tip) -> int:
    """Email the creator about each reversal of `tip` not yet emailed; how many were sent.

    Sent whatever the confirmation-email setting: the dashboard said this money had
    arrived, and it has not. Each reversal row is claimed with its send, so a re-run or
    a second worker sends nothing more, and a failed send is retried.
    """
    if not tip.creator.user.email:
        return 0
    sent = 0
    for reversal in tip.reversals.filter(emailed_at=None):
        with transaction.atomic():
            claimed = TipReversal.objects.filter(pk=reversal.pk, emailed_at=None).update(
                emailed_at=timezone.now()
            )
            if not claimed:
                continue
            email_creator(
                tip.creator,
                "payments/email/tip_reversed",
                {
                    "tip": tip,
                    "reversal": reversal,
                    "tip_url": reverse("creators:tip", args=[tip.public_id]),
                },
            )
        sent += 1
    return sent
