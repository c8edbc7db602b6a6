"""/staff/: the moderation queue, a creator's file, and one-click or bulk actions with a reason."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from creators.models import Creator, CreatorStatus
from moderation.models import ModerationLogEntry, Report
from moderation.services import creator_verify
from tests.factories import CreatorFactory, UserFactory

pytestmark = pytest.mark.django_db


def handles_in_order(response) -> list[str]:
    return [creator.handle for creator, _actions in response.context["rows"]]


def test_it_lists_pending_creators_first_then_reported_ones(moderator_client, creator):
    quiet = CreatorFactory(handle="quiet")
    reported = CreatorFactory(handle="reported")
    Report.objects.create(creator=reported, reason="scam")
    older = CreatorFactory(handle="older", status=CreatorStatus.PENDING)
    CreatorFactory(handle="newer", status=CreatorStatus.PENDING)
    Creator.objects.filter(pk=older.pk).update(created_at=timezone.now() - timedelta(days=2))

    needs_attention = moderator_client.get("/staff/")
    everyone = moderator_client.get("/staff/?show=all")

    assert needs_attention.status_code == 200
    assert handles_in_order(needs_attention) == ["older", "newer", "reported"]
    assert handles_in_order(everyone)[:3] == ["older", "newer", "reported"]
    assert set(handles_in_order(everyone)[3:]) == {quiet.handle, creator.handle}


def test_it_shows_profile_channel_signup_key_type_and_report_count(moderator_client):
    pending = CreatorFactory(
        handle="newbie", status="pending", channel_url="https://video.example/newbie"
    )
    Report.objects.create(creator=pending, reason="spam")
    Report.objects.create(creator=pending, reason="scam")
    Report.objects.create(creator=pending, reason="scam", resolved_at=timezone.now())

    page = moderator_client.get("/staff/").content.decode()

    assert "@newbie" in page
    assert pending.user.email in page
    assert 'href="https://video.example/newbie"' in page
    assert pending.created_at.strftime("%m/%d/%Y") in page
    assert "wpkh" in page  # the script type of the active key
    assert "2 open reports" in page


def test_it_searches_by_handle_name_and_email(moderator_client):
    CreatorFactory(handle="satoshi", display_name="Someone")
    CreatorFactory(handle="other", display_name="Nakamoto Fan")
    by_email = CreatorFactory(handle="third")
    CreatorFactory(handle="unrelated")

    def found(query: str) -> set[str]:
        return set(handles_in_order(moderator_client.get("/staff/", {"q": query})))

    assert found("satosh") == {"satoshi"}
    assert found("nakamoto") == {"other"}
    assert found(by_email.user.email) == {"third"}


def test_a_one_click_action_asks_for_a_reason_first(moderator_client):
    pending = CreatorFactory(status=CreatorStatus.PENDING)

    response = moderator_client.get("/staff/act/", {"action": "approve", "creators": pending.pk})

    assert response.status_code == 200
    assert b'name="reason"' in response.content
    assert f"@{pending.handle}".encode() in response.content
    pending.refresh_from_db()
    assert pending.status == CreatorStatus.PENDING


@pytest.mark.parametrize(
    ("status", "action", "result"),
    [
        (CreatorStatus.PENDING, "approve", CreatorStatus.ACTIVE),
        (CreatorStatus.PENDING, "reject", CreatorStatus.REJECTED),
        (CreatorStatus.ACTIVE, "suspend", CreatorStatus.SUSPENDED),
        (CreatorStatus.SUSPENDED, "reinstate", CreatorStatus.ACTIVE),
    ],
)
def test_it_applies_the_action_with_its_reason(moderator_client, moderator, status, action, result):
    target = CreatorFactory(status=status)

    response = moderator_client.post(
        "/staff/act/", {"action": action, "creators": [target.pk], "reason": "Checked."}
    )

    assert response.status_code == 302
    target.refresh_from_db()
    assert target.status == result
    entry = ModerationLogEntry.objects.get()
    assert (entry.actor, entry.action, entry.reason) == (moderator, action, "Checked.")


def test_it_refuses_an_action_without_a_reason(moderator_client, creator):
    response = moderator_client.post(
        "/staff/act/", {"action": "suspend", "creators": [creator.pk], "reason": "   "}
    )

    assert response.status_code == 400
    assert b"This field is required." in response.content
    creator.refresh_from_db()
    assert creator.status == CreatorStatus.ACTIVE
    assert not ModerationLogEntry.objects.exists()


def test_it_acts_on_several_creators_at_once(moderator_client):
    first, second = CreatorFactory(status="pending"), CreatorFactory(status="pending")
    already_active = CreatorFactory()

    response = moderator_client.post(
        "/staff/act/",
        {
            "action": "approve",
            "creators": [first.pk, second.pk, already_active.pk],
            "reason": "Channels checked.",
            "next": "/staff/?show=pending",
        },
        follow=True,
    )

    assert response.redirect_chain == [("/staff/?show=pending", 302)]
    shown = [str(message) for message in response.context["messages"]]
    assert any("does not apply" in message for message in shown)
    assert set(Creator.objects.filter(status="active").values_list("pk", flat=True)) == {
        first.pk,
        second.pk,
        already_active.pk,
    }
    assert ModerationLogEntry.objects.count() == 2


def test_it_never_redirects_off_site(moderator_client, creator):
    response = moderator_client.post(
        "/staff/act/",
        {
            "action": "suspend",
            "creators": [creator.pk],
            "reason": "Scam.",
            "next": "https://evil.example/",
        },
    )

    assert response["Location"] == "/staff/"


def test_it_sets_the_verified_badge_and_shows_who_and_when(moderator_client, moderator, creator):
    response = moderator_client.post(
        "/staff/act/", {"action": "verify", "creators": [creator.pk], "reason": "Video proof."}
    )

    assert response.status_code == 302
    creator.refresh_from_db()
    assert (creator.verified, creator.verified_by) == (True, moderator)
    page = moderator_client.get(f"/staff/creators/{creator.pk}/").content.decode()
    assert f"by {moderator}" in page
    assert "Unverify" not in page and "Remove verified badge" in page


def test_a_creator_file_offers_only_the_actions_that_apply(moderator_client):
    suspended = CreatorFactory(status=CreatorStatus.SUSPENDED)
    admin = UserFactory(is_superuser=True, is_staff=True)
    creator_verify(creator=suspended, actor=admin, reason="Channel checked.")

    response = moderator_client.get(f"/staff/creators/{suspended.pk}/")

    assert [action.value for action in response.context["available_actions"]] == [
        "reinstate",
        "unverify",
    ]


def test_it_answers_400_for_no_creator_selected(moderator_client):
    response = moderator_client.get("/staff/act/", {"action": "approve"})

    assert response.status_code == 400
    assert b"Select at least one creator." in response.content
