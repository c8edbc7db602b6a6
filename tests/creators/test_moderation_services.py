"""Moderator actions: allowed transitions only, a reason every time, one log entry each."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from creators.models import CreatorStatus
from moderation import services
from moderation.models import ModerationAction, ModerationLogEntry
from tests.factories import CreatorFactory, UserFactory

pytestmark = pytest.mark.django_db

SERVICES = {
    ModerationAction.APPROVE: services.creator_approve,
    ModerationAction.REJECT: services.creator_reject,
    ModerationAction.SUSPEND: services.creator_suspend,
    ModerationAction.REINSTATE: services.creator_reinstate,
}
ALLOWED = {
    (ModerationAction.APPROVE, CreatorStatus.PENDING): CreatorStatus.ACTIVE,
    (ModerationAction.APPROVE, CreatorStatus.REJECTED): CreatorStatus.ACTIVE,
    (ModerationAction.REJECT, CreatorStatus.PENDING): CreatorStatus.REJECTED,
    (ModerationAction.SUSPEND, CreatorStatus.ACTIVE): CreatorStatus.SUSPENDED,
    (ModerationAction.REINSTATE, CreatorStatus.SUSPENDED): CreatorStatus.ACTIVE,
}
REFUSED = [
    (action, status)
    for action in SERVICES
    for status in CreatorStatus
    if (action, status) not in ALLOWED
]


def test_it_approves_with_a_reason_and_logs_it(moderator):
    creator = CreatorFactory(status="pending")

    services.creator_approve(creator=creator, actor=moderator, reason="  Channel checked.  ")

    creator.refresh_from_db()
    assert creator.status == CreatorStatus.ACTIVE
    entry = ModerationLogEntry.objects.get(creator=creator)
    assert (entry.actor, entry.action, entry.reason) == (
        moderator,
        ModerationAction.APPROVE,
        "Channel checked.",
    )
    assert (entry.from_status, entry.to_status) == ("pending", "active")


@pytest.mark.parametrize(("action", "from_status"), list(ALLOWED))
def test_it_applies_each_allowed_transition(moderator, action, from_status):
    creator = CreatorFactory(status=from_status)

    SERVICES[action](creator=creator, actor=moderator, reason="Because.")

    creator.refresh_from_db()
    assert creator.status == ALLOWED[(action, from_status)]
    assert ModerationLogEntry.objects.get(creator=creator).action == action


@pytest.mark.parametrize(("action", "from_status"), REFUSED)
def test_it_refuses_an_illegal_transition(moderator, action, from_status):
    creator = CreatorFactory(status=from_status)

    with pytest.raises(ValidationError, match="does not apply"):
        SERVICES[action](creator=creator, actor=moderator, reason="Because.")

    creator.refresh_from_db()
    assert creator.status == from_status
    assert not ModerationLogEntry.objects.exists()


@pytest.mark.parametrize("reason", ["", "   \n "])
def test_it_refuses_an_action_without_a_reason(moderator, reason):
    creator = CreatorFactory(status="pending")

    with pytest.raises(ValidationError, match="Give a reason"):
        services.creator_approve(creator=creator, actor=moderator, reason=reason)

    creator.refresh_from_db()
    assert creator.status == CreatorStatus.PENDING
    assert not ModerationLogEntry.objects.exists()


def test_it_refuses_moderation_by_a_non_staff_user():
    creator = CreatorFactory(status="pending")

    with pytest.raises(PermissionDenied):
        services.creator_approve(creator=creator, actor=UserFactory(), reason="I say so.")

    creator.refresh_from_db()
    assert creator.status == CreatorStatus.PENDING


def test_it_judges_the_status_in_the_database_not_a_stale_copy(moderator):
    creator = CreatorFactory(status="pending")
    stale = type(creator).objects.get(pk=creator.pk)
    services.creator_reject(creator=creator, actor=moderator, reason="Spam.")

    with pytest.raises(ValidationError):
        services.creator_suspend(creator=stale, actor=moderator, reason="Also bad.")

    assert ModerationLogEntry.objects.count() == 1


def test_it_sets_and_removes_the_verified_badge(moderator):
    creator = CreatorFactory()

    services.creator_verify(creator=creator, actor=moderator, reason="Video shows the handle.")

    creator.refresh_from_db()
    assert (creator.verified, creator.verified_by) == (True, moderator)
    assert creator.verified_at is not None

    services.creator_unverify(creator=creator, actor=moderator, reason="Channel sold.")

    creator.refresh_from_db()
    assert (creator.verified, creator.verified_by, creator.verified_at) == (False, None, None)
    assert list(ModerationLogEntry.objects.values_list("action", flat=True)) == [
        ModerationAction.UNVERIFY,
        ModerationAction.VERIFY,
    ]


def test_it_refuses_to_verify_twice(moderator):
    creator = CreatorFactory()
    services.creator_verify(creator=creator, actor=moderator, reason="Checked.")

    with pytest.raises(ValidationError, match="already verified"):
        services.creator_verify(creator=creator, actor=moderator, reason="Checked again.")

    assert ModerationLogEntry.objects.count() == 1
