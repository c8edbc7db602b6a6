"""Moderation through the Django admin: actions ask for a reason; the log is read-only."""

import pytest

from creators.models import CreatorStatus
from moderation import services
from moderation.models import ModerationLogEntry
from tests.factories import CreatorFactory, UserFactory
from tests.staff import sign_in_with_second_factor

pytestmark = pytest.mark.django_db

CHANGELIST = "/admin/creators/creator/"


def _act(client, action, creators, **extra):
    data = {"action": action, "_selected_action": [c.pk for c in creators], **extra}
    return client.post(CHANGELIST, data)


def test_it_asks_for_a_reason_before_acting(moderator_client):
    creator = CreatorFactory(status="pending")

    response = _act(moderator_client, "approve", [creator])

    assert response.status_code == 200
    assert b'name="reason"' in response.content
    assert f"@{creator.handle}".encode() in response.content
    creator.refresh_from_db()
    assert creator.status == CreatorStatus.PENDING


def test_it_approves_the_selected_creators_with_the_reason(moderator_client, moderator):
    first, second = CreatorFactory(status="pending"), CreatorFactory(status="pending")

    response = _act(
        moderator_client, "approve", [first, second], apply="Approve", reason="Channels checked."
    )

    assert response.status_code == 302
    for creator in (first, second):
        creator.refresh_from_db()
        assert creator.status == CreatorStatus.ACTIVE
        entry = ModerationLogEntry.objects.get(creator=creator)
        assert (entry.actor, entry.reason) == (moderator, "Channels checked.")


def test_it_changes_nothing_without_a_reason(moderator_client):
    creator = CreatorFactory(status="active")

    response = _act(moderator_client, "suspend", [creator], apply="Suspend", reason="  ")

    assert response.status_code == 200
    assert b"This field is required." in response.content
    creator.refresh_from_db()
    assert creator.status == CreatorStatus.ACTIVE
    assert not ModerationLogEntry.objects.exists()


def test_it_reports_creators_the_action_does_not_apply_to(moderator_client):
    pending, active = CreatorFactory(status="pending"), CreatorFactory(status="active")

    response = _act(
        moderator_client, "reinstate", [pending, active], apply="Reinstate", reason="Appeal."
    )

    assert response.status_code == 302
    shown = [str(m) for m in moderator_client.get(CHANGELIST).context["messages"]]
    assert any("does not apply" in message for message in shown)
    for creator in (pending, active):
        status = creator.status
        creator.refresh_from_db()
        assert creator.status == status
    assert not ModerationLogEntry.objects.exists()


def test_it_sets_the_verified_badge(moderator_client, moderator):
    creator = CreatorFactory()

    _act(moderator_client, "verify", [creator], apply="Verify", reason="Video shows handle.")

    creator.refresh_from_db()
    assert (creator.verified, creator.verified_by) == (True, moderator)


def test_it_does_not_let_the_change_form_set_status_or_badge(moderator_client):
    creator = CreatorFactory(status="pending", display_name="Before")
    url = f"{CHANGELIST}{creator.pk}/change/"

    response = moderator_client.post(
        url,
        {
            "display_name": "After",
            "status": "active",
            "verified": "on",
            "min_tip_sats": 1000,
            "confirmations_required": 1,
            "suggested_amounts": "[]",
            "wallet_keys-TOTAL_FORMS": 0,
            "wallet_keys-INITIAL_FORMS": 1,
            "moderation_log-TOTAL_FORMS": 0,
            "moderation_log-INITIAL_FORMS": 0,
        },
    )

    assert response.status_code == 302, response.context["errors"]
    creator.refresh_from_db()
    assert creator.display_name == "After"
    assert (creator.status, creator.verified) == (CreatorStatus.PENDING, False)


def test_it_lists_the_log_for_staff(client, moderator):
    creator = CreatorFactory(status="pending")
    services.creator_reject(creator=creator, actor=moderator, reason="Spam.")
    sign_in_with_second_factor(client, UserFactory(is_staff=True))

    response = client.get("/admin/moderation/moderationlogentry/?q=Spam&action__exact=reject")

    assert response.status_code == 200
    assert f"@{creator.handle}".encode() in response.content


@pytest.fixture
def entry(moderator):
    creator = CreatorFactory(status="pending")
    services.creator_reject(creator=creator, actor=moderator, reason="Spam.")
    return ModerationLogEntry.objects.get()


def test_it_cannot_add_a_log_entry_in_the_admin(moderator_client, entry):
    response = moderator_client.post(
        "/admin/moderation/moderationlogentry/add/",
        {"creator": entry.creator_id, "actor": entry.actor_id, "action": "approve", "reason": "x"},
    )

    assert response.status_code == 403
    assert ModerationLogEntry.objects.count() == 1


def test_it_cannot_edit_a_log_entry_in_the_admin(moderator_client, entry):
    url = f"/admin/moderation/moderationlogentry/{entry.pk}/change/"

    response = moderator_client.post(url, {"reason": "Edited.", "action": "approve"})

    assert response.status_code == 403
    entry.refresh_from_db()
    assert (entry.reason, entry.action) == ("Spam.", "reject")
    assert b'name="reason"' not in moderator_client.get(url).content  # a read-only page


@pytest.mark.parametrize("method", ["get", "post"])
def test_it_cannot_delete_a_log_entry_in_the_admin(moderator_client, entry, method):
    url = f"/admin/moderation/moderationlogentry/{entry.pk}/delete/"

    response = getattr(moderator_client, method)(url, {"post": "yes"})

    assert response.status_code == 403
    assert ModerationLogEntry.objects.filter(pk=entry.pk).exists()


def test_it_offers_no_bulk_delete_of_the_log(moderator_client, entry):
    moderator_client.post(
        "/admin/moderation/moderationlogentry/",
        {"action": "delete_selected", "_selected_action": [entry.pk], "post": "yes"},
    )

    assert ModerationLogEntry.objects.filter(pk=entry.pk).exists()
