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


def test_a_one_confirmation_tip_says_one_confirmation(make_tip, pay, mailoutbox):
    pay(make_tip(21_000))

    (email,) = mailoutbox
    assert "is confirmed (1 confirmation)." in email.body


def test_a_six_confirmation_tip_says_six_confirmations(creator, make_tip, pay, chain, watch):
    from django.core import mail

    from payments.tasks import tip_confirmed_email

    creator.confirmations_required = 6
    creator.save()
    tip = make_tip(21_000)
    pay(tip)
    chain.mine(5)
    watch()
    tip_confirmed_email(tip.pk)

    assert "is confirmed (6 confirmations)." in mail.outbox[-1].body


def test_the_confirmation_email_pluralises_in_french(make_tip, pay, mailoutbox):
    from django.utils import translation

    tip = make_tip(21_000)
    with translation.override("fr"):
        pay(tip)

    assert "est confirmé (1 confirmation)." in mailoutbox[0].body


@pytest.fixture
def take_back(chain, watch, django_capture_on_commit_callbacks):
    """The block with `txid` is reorganised away and the transaction double-spent."""

    def run(txid):
        with django_capture_on_commit_callbacks(execute=True):
            chain.reorg(1, drop_txids=[txid])
            watch()

    return run


def test_it_emails_the_creator_when_the_network_takes_a_confirmed_tip_back(
    creator, make_tip, pay, take_back, mailoutbox
):
    tip = make_tip(21_000)
    take_back(pay(tip))

    assert len(mailoutbox) == 2
    email = mailoutbox[1]
    assert email.to == [creator.user.email]
    assert email.subject == "A tip of 21,000 sats was taken back by the network"
    assert "no longer counts as received" in email.body
    assert f"/dashboard/tips/{tip.public_id}/" in email.body


def test_it_emails_about_a_reversal_even_with_confirmation_emails_off(
    creator, make_tip, pay, take_back, mailoutbox
):
    creator.notify_on_confirmed_tip = False
    creator.save()

    take_back(pay(make_tip()))

    (email,) = mailoutbox
    assert "taken back by the network" in email.subject


def test_it_emails_once_per_reversal_whatever_reruns(make_tip, pay, take_back, mailoutbox):
    from payments.tasks import tip_reversed_email

    tip = make_tip()
    take_back(pay(tip))

    tip_reversed_email(tip.pk)
    tip_reversed_email.delay(tip.pk)

    assert [m.subject for m in mailoutbox].count(
        "A tip of 5,000 sats was taken back by the network"
    ) == 1


def test_a_second_reversal_gets_a_second_email(make_tip, pay, take_back, mailoutbox):
    tip = make_tip()
    take_back(pay(tip))
    take_back(pay(tip))

    reversal_emails = [m for m in mailoutbox if "taken back" in m.subject]
    assert len(reversal_emails) == 2


def test_the_dashboard_marks_a_tip_the_network_took_back(creator_client, make_tip, pay, take_back):
    tip = make_tip()
    take_back(pay(tip))

    for path in ("/dashboard/tips/", f"/dashboard/tips/{tip.public_id}/", "/dashboard/"):
        page = creator_client.get(path).content.decode()
        assert "Payment taken back by the network" in page, path


def test_a_tip_confirmed_again_is_no_longer_marked(creator_client, make_tip, pay, take_back):
    tip = make_tip()
    take_back(pay(tip))
    pay(tip)

    page = creator_client.get(f"/dashboard/tips/{tip.public_id}/").content.decode()
    assert "Payment taken back by the network" not in page


@pytest.mark.parametrize("kick", ["dropped", "broker down"])
def test_a_reversal_email_lost_after_the_commit_is_sent_by_the_sweep_once(
    kick, creator, make_tip, pay, take_back, mailoutbox, monkeypatch
):
    from kombu.exceptions import OperationalError

    from payments import events
    from payments.tasks import tip_events_dispatch

    def broker_down(*args, **kwargs):
        raise OperationalError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

    creator.notify_on_confirmed_tip = False
    creator.save()
    tip = make_tip()
    txid = pay(tip)
    # The worker dies between the reorg's commit and its dispatch, or the broker is down.
    monkeypatch.setattr(
        events, "tip_events_kick", (lambda: None) if kick == "dropped" else broker_down
    )

    take_back(txid)

    assert mailoutbox == []
    monkeypatch.undo()
    tip_events_dispatch()  # beat's sweep
    tip_events_dispatch()  # and the next one

    (email,) = mailoutbox
    assert email.subject == "A tip of 5,000 sats was taken back by the network"


def test_a_reversal_email_refused_by_the_broker_is_queued_again_by_the_sweep(
    make_tip, pay, take_back, mailoutbox, monkeypatch
):
    from kombu.exceptions import OperationalError

    from payments import tasks
    from payments.tasks import tip_events_dispatch

    def broker_down(*args, **kwargs):
        raise OperationalError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

    txid = pay(make_tip())
    monkeypatch.setattr(tasks.tip_reversed_email, "delay", broker_down)

    take_back(txid)

    assert not [m for m in mailoutbox if "taken back" in m.subject]
    monkeypatch.undo()
    tip_events_dispatch()  # beat's sweep

    reversal_emails = [m for m in mailoutbox if "taken back" in m.subject]
    assert len(reversal_emails) == 1


def test_a_watcher_killed_after_the_reorg_commit_still_emails_the_reversal(
    make_tip, pay, chain, watch, mailoutbox, monkeypatch, django_capture_on_commit_callbacks
):
    from payments import tasks

    txid = pay(make_tip())

    def killed(*args, **kwargs):
        raise KeyboardInterrupt  # the worker is stopped after the reorg's commit

    chain.reorg(1, drop_txids=[txid])
    with monkeypatch.context() as patched:
        patched.setattr(tasks, "tips_expire", killed)
        with pytest.raises(KeyboardInterrupt):
            watch()
    with django_capture_on_commit_callbacks(execute=True):
        watch()  # the next run

    reversal_emails = [m for m in mailoutbox if "taken back" in m.subject]
    assert len(reversal_emails) == 1
