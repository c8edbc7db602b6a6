"""Old tip events every listener has handled are deleted (beat), so the dispatcher's "not
yet handled" query spans days of events, not the site's history; one a listener still
owes stays, however old, and is still handled."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from payments import events
from payments.models import TipEvent, TipEventConsumed
from payments.tasks import tip_events_dispatch, tip_events_prune_task
from webhooks.models import WebhookDelivery

pytestmark = pytest.mark.django_db


def test_old_events_every_listener_handled_are_deleted_and_what_they_caused_stays(
    endpoint, receiver, tip, pay, settings, django_capture_on_commit_callbacks
):
    pay(tip)
    assert TipEvent.objects.count() == 2  # detected, confirmed
    handled = TipEventConsumed.objects.count()
    assert handled == 2 * len(events._consumers)
    keep = timedelta(days=settings.BITCACHE_TIP_EVENTS_KEEP_DAYS)

    assert events.tip_events_prune(now=timezone.now()) == 0  # too recent
    assert events.tip_events_prune(now=timezone.now() + keep + timedelta(minutes=1)) == 2

    assert TipEvent.objects.count() == 0
    assert TipEventConsumed.objects.count() == 0
    assert WebhookDelivery.objects.count() == 2  # what the listeners did stays
    with django_capture_on_commit_callbacks(execute=True):
        tip_events_dispatch()
    assert receiver.events() == ["tip.detected", "tip.confirmed"]  # nothing sent again


def test_an_event_a_listener_still_owes_stays_however_old(
    endpoint, receiver, tip, pay, settings, monkeypatch, django_capture_on_commit_callbacks
):
    monkeypatch.setattr(events, "tip_events_kick", lambda: None)  # no dispatch after commit
    pay(tip)
    much_later = timezone.now() + timedelta(days=settings.BITCACHE_TIP_EVENTS_KEEP_DAYS + 30)

    assert events.tip_events_prune(now=much_later) == 0

    with django_capture_on_commit_callbacks(execute=True):
        tip_events_dispatch()  # the sweep finds them still there
    assert receiver.events() == ["tip.detected", "tip.confirmed"]
    assert events.tip_events_prune(now=much_later) == 2


def test_beat_prunes_tip_events(settings):
    assert settings.CELERY_BEAT_SCHEDULE["prune-tip-events"]["task"] == tip_events_prune_task.name
    tip_events_prune_task()  # runs with nothing to do
