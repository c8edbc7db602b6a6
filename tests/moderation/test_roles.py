"""Who may do what: moderators get exactly the moderation permissions, superusers all of
them, anyone else nothing. Money (keys, tips, payments, addresses) is never a moderator's."""

from __future__ import annotations

from io import StringIO

import pytest
from django.contrib.auth.models import Group, Permission
from django.core.exceptions import PermissionDenied
from django.core.management import call_command

from creators.models import CreatorStatus
from moderation.models import FlaggedTerm, ModerationLogEntry, Report
from moderation.roles import MODERATOR_PERMISSIONS, MODERATORS
from moderation.services import creator_suspend, report_resolve, tip_message_hide
from tests.factories import CreatorFactory, UserFactory
from tests.staff import sign_in_with_second_factor

pytestmark = pytest.mark.django_db

STAFF_PAGES = ["/staff/", "/staff/messages/", "/staff/log/", "/staff/status/"]
MONEY_PERMISSIONS = [
    f"{app}.{verb}_{model}"
    for app, model in [
        ("creators", "walletkey"),
        ("payments", "tip"),
        ("payments", "payment"),
        ("payments", "address"),
    ]
    for verb in ("add", "change", "delete")
]


def group_permissions() -> set[str]:
    permissions = Group.objects.get(name=MODERATORS).permissions.select_related("content_type")
    return {f"{p.content_type.app_label}.{p.codename}" for p in permissions}


def test_migrate_sets_up_the_moderators_group():
    assert group_permissions() == set(MODERATOR_PERMISSIONS)


def test_setup_roles_is_idempotent_and_repairs_the_group():
    group = Group.objects.get(name=MODERATORS)
    group.permissions.add(Permission.objects.get(codename="change_tip"))

    call_command("setup_roles", stdout=StringIO())
    call_command("setup_roles", stdout=StringIO())

    assert Group.objects.filter(name=MODERATORS).count() == 1
    assert group_permissions() == set(MODERATOR_PERMISSIONS)


@pytest.mark.parametrize(
    "permission",
    [
        *MONEY_PERMISSIONS,
        "creators.delete_creator",
        "moderation.add_moderationlogentry",
        "moderation.change_moderationlogentry",
        "moderation.delete_moderationlogentry",
    ],
)
def test_a_moderator_has_no_permission_on_money_or_the_log(moderator, permission):
    assert not moderator.has_perm(permission)


@pytest.mark.parametrize(
    "url",
    [
        "/admin/creators/walletkey/",
        "/admin/creators/walletkey/add/",
        "/admin/payments/tip/",
        "/admin/payments/payment/",
        "/admin/payments/address/",
    ],
)
def test_the_admin_has_no_money_pages_for_a_moderator(moderator_client, url):
    assert moderator_client.get(url).status_code == 404


def test_a_moderator_sees_a_creator_read_only_in_the_admin(moderator_client):
    creator = CreatorFactory(display_name="Before", min_tip_sats=1000)
    url = f"/admin/creators/creator/{creator.pk}/change/"

    page = moderator_client.get(url)
    response = moderator_client.post(
        url, {"display_name": "After", "min_tip_sats": 1, "confirmations_required": 1}
    )

    assert page.status_code == 200
    assert b'name="display_name"' not in page.content
    assert b'name="wallet_keys-0-descriptor"' not in page.content
    assert b'name="wallet_keys-0-is_active"' not in page.content
    assert response.status_code == 403
    creator.refresh_from_db()
    assert (creator.display_name, creator.min_tip_sats) == ("Before", 1000)


def test_a_moderator_can_use_the_admin_actions(moderator_client, moderator):
    creator = CreatorFactory(status=CreatorStatus.PENDING)

    response = moderator_client.post(
        "/admin/creators/creator/",
        {"action": "approve", "_selected_action": [creator.pk], "apply": "1", "reason": "OK."},
    )

    assert response.status_code == 302
    creator.refresh_from_db()
    assert creator.status == CreatorStatus.ACTIVE
    assert ModerationLogEntry.objects.get().actor == moderator


def test_a_moderator_edits_the_word_list_in_the_admin(moderator_client, make_tip):
    before = make_tip("Free bitcoin, no scam")

    moderator_client.post("/admin/moderation/flaggedterm/add/", {"term": "scam"})

    assert list(FlaggedTerm.objects.values_list("term", flat=True)) == ["scam"]
    assert b"scam" in moderator_client.get("/admin/moderation/flaggedterm/").content
    assert not before.message_flagged
    assert make_tip("Free bitcoin, no scam").message_flagged


@pytest.mark.parametrize("url", STAFF_PAGES)
def test_moderators_and_superusers_open_every_staff_page(client, moderator, superuser, url):
    for user in (moderator, superuser):
        sign_in_with_second_factor(client, user)
        assert client.get(url).status_code == 200


@pytest.mark.parametrize("url", STAFF_PAGES)
def test_anyone_else_gets_nothing(client, creator, url):
    assert client.get(url).status_code == 302  # to the login page
    client.force_login(creator.user)
    assert client.get(url).status_code == 403
    sign_in_with_second_factor(client, UserFactory(is_staff=True))  # staff, no moderation role
    assert client.get(url).status_code == 403


def test_a_non_staff_user_cannot_act_even_with_a_valid_form(client, creator):
    client.force_login(UserFactory())

    response = client.post(
        "/staff/act/", {"action": "suspend", "creators": [creator.pk], "reason": "Because."}
    )

    assert response.status_code == 403
    creator.refresh_from_db()
    assert creator.status == CreatorStatus.ACTIVE
    assert not ModerationLogEntry.objects.exists()


def test_the_admin_is_closed_to_non_staff(client, creator):
    client.force_login(creator.user)

    response = client.get("/admin/creators/creator/")

    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")


def test_the_services_refuse_staff_without_the_moderator_role(creator, make_tip):
    staff = UserFactory(is_staff=True)
    report = Report.objects.create(creator=creator, reason="spam")
    tip = make_tip()

    with pytest.raises(PermissionDenied):
        creator_suspend(creator=creator, actor=staff, reason="Because.")
    with pytest.raises(PermissionDenied):
        report_resolve(report=report, actor=staff, note="Because.")
    with pytest.raises(PermissionDenied):
        tip_message_hide(tip=tip, actor=staff, reason="Because.")
    creator.refresh_from_db()
    tip.refresh_from_db()
    report.refresh_from_db()
    assert (creator.status, tip.message_hidden, report.resolved_at) == ("active", False, None)
