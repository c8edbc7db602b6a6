"""The moderation log: every staff action, filterable; no page can edit or delete it."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from moderation.models import ModerationLogEntry
from moderation.services import creator_approve, creator_reject, creator_suspend
from tests.factories import CreatorFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def entries(moderator, superuser):
    bob = CreatorFactory(handle="bob", status="pending")
    carol = CreatorFactory(handle="carol", status="pending")
    creator_reject(creator=bob, actor=moderator, reason="Spam profile.")
    creator_approve(creator=carol, actor=superuser, reason="Channel checked.")
    creator_suspend(creator=carol, actor=moderator, reason="Scam links.")
    return list(ModerationLogEntry.objects.all())


def reasons(response) -> list[str]:
    return [entry.reason for entry in response.context["page"]]


def test_it_lists_every_action_newest_first_with_who_when_and_why(moderator_client, entries):
    response = moderator_client.get("/staff/log/")

    assert response.status_code == 200
    assert reasons(response) == ["Scam links.", "Channel checked.", "Spam profile."]
    page = response.content.decode()
    assert "@carol" in page and "root" in page and "Suspend" in page


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"action": "suspend"}, ["Scam links."]),
        ({"handle": "@bob"}, ["Spam profile."]),
        ({"q": "channel"}, ["Channel checked."]),
        ({"q": "carol"}, ["Scam links.", "Channel checked."]),
    ],
)
def test_it_filters_by_action_creator_and_text(moderator_client, entries, query, expected):
    assert reasons(moderator_client.get("/staff/log/", query)) == expected


def test_it_filters_by_moderator(moderator_client, entries, superuser):
    response = moderator_client.get("/staff/log/", {"actor": superuser.pk})

    assert reasons(response) == ["Channel checked."]


def test_it_filters_by_date(moderator_client, entries):
    today = timezone.localdate()
    tomorrow = (today + timedelta(days=1)).isoformat()

    assert len(reasons(moderator_client.get("/staff/log/", {"since": today.isoformat()}))) == 3
    assert reasons(moderator_client.get("/staff/log/", {"since": tomorrow})) == []
    assert len(reasons(moderator_client.get("/staff/log/", {"until": today.isoformat()}))) == 3


@pytest.mark.parametrize(
    "url",
    [
        "/admin/moderation/moderationlogentry/{pk}/change/",
        "/admin/moderation/moderationlogentry/{pk}/delete/",
        "/staff/log/",
    ],
)
def test_no_page_changes_the_log_even_for_a_superuser(superuser_client, entries, url):
    entry = entries[0]

    response = superuser_client.post(
        url.format(pk=entry.pk), {"reason": "Rewritten.", "action": "approve", "post": "yes"}
    )

    assert response.status_code in (403, 405)
    entry.refresh_from_db()
    assert (entry.reason, entry.action) == ("Scam links.", "suspend")
    assert ModerationLogEntry.objects.count() == 3


def test_the_admin_offers_no_bulk_delete_of_the_log(superuser_client, entries):
    superuser_client.post(
        "/admin/moderation/moderationlogentry/",
        {"action": "delete_selected", "_selected_action": [e.pk for e in entries], "post": "yes"},
    )

    assert ModerationLogEntry.objects.count() == 3


def test_the_model_refuses_updates_and_deletes(entries):
    entry = entries[0]
    entry.reason = "Rewritten."

    with pytest.raises(PermissionError):
        entry.save()
    with pytest.raises(PermissionError):
        entry.delete()
    with pytest.raises(PermissionError):
        ModerationLogEntry.objects.update(reason="Rewritten.")
    with pytest.raises(PermissionError):
        ModerationLogEntry.objects.all().delete()
    assert ModerationLogEntry.objects.filter(reason="Rewritten.").count() == 0


def test_a_suspended_creator_sees_the_reason_on_their_dashboard(client, moderator_client):
    creator = CreatorFactory()
    moderator_client.post(
        "/staff/act/", {"action": "suspend", "creators": [creator.pk], "reason": "Fake giveaway."}
    )
    client.force_login(creator.user)

    page = client.get("/dashboard/").content.decode()

    assert "Your account is suspended" in page
    assert "Fake giveaway." in page
