"""The creator's email when a tip is confirmed: opt-out, sent after commit, once per tip."""

from __future__ import annotations

import pytest

from payments.models import TipConfirmationEmail
from payments.tasks import tip_confirmed_email

pytestmark = pytest.mark.django_db


def test_it_emails_the_creator_when_a_tip_is_confirmed(creator, make_tip, pay, mailoutbox):
    tip = make_tip(21_000, name="Bob", message="Merci pour la vidéo")

    pay(tip)

    (email,) = mailoutbox
    assert email.to == [creator.user.email]
    assert email.subject == "You received a tip of 21,000 sats"
    assert "0.00021 BTC" in email.body
    assert "From: Bob" in email.body
    assert "Message: Merci pour la vidéo" in email.body
    assert f"/dashboard/tips/{tip.public_id}/" in email.body


def test_it_does_not_email_before_confirmation(make_tip, pay, mailoutbox):
    pay(make_tip(), confirm=False)

    assert mailoutbox == []


def test_it_respects_the_opt_out(creator, make_tip, pay, mailoutbox):
    creator.notify_on_confirmed_tip = False
    creator.save()

    pay(make_tip())

    assert mailoutbox == []


def test_it_emails_once_even_if_the_task_runs_again(make_tip, pay, mailoutbox):
    tip = make_tip()
    pay(tip)

    tip_confirmed_email(tip.pk)
    tip_confirmed_email.delay(tip.pk)

    assert len(mailoutbox) == 1
    assert TipConfirmationEmail.objects.filter(tip=tip).count() == 1


def test_it_does_not_email_again_when_a_tip_is_confirmed_after_a_reorg(
    make_tip, pay, chain, watch, mailoutbox, django_capture_on_commit_callbacks
):
    tip = make_tip()
    pay(tip)

    with django_capture_on_commit_callbacks(execute=True):
        chain.reorg(1)  # the transaction goes back to the mempool, then into a new block
        watch()
        chain.mine(1)
        watch()

    tip.refresh_from_db()
    assert tip.status == "confirmed"
    assert len(mailoutbox) == 1


def test_a_failed_send_leaves_no_record_so_the_retry_sends_it(
    creator, make_tip, pay, mailoutbox, monkeypatch
):
    creator.notify_on_confirmed_tip = False
    creator.save()
    tip = make_tip()
    pay(tip)
    creator.notify_on_confirmed_tip = True
    creator.save()

    def mail_server_down(*args, **kwargs):
        raise OSError("mail server down")

    with monkeypatch.context() as patched:
        patched.setattr("creators.emails.send_mail", mail_server_down)
        with pytest.raises(OSError, match="mail server down"):
            tip_confirmed_email(tip.pk)
    assert not TipConfirmationEmail.objects.exists()

    tip_confirmed_email(tip.pk)

    assert len(mailoutbox) == 1
