"""Staff roles: superusers can do everything; moderators get exactly what moderation needs.

Moderators review creators, act on reports, hide or approve tip messages, edit
the word list and read the log. They get no change or delete permission on
wallet keys, tips, payments or addresses: money paths are not theirs to touch.
"""

from __future__ import annotations

from django.apps import apps
from django.contrib.auth.management import create_permissions
from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType
from django.db import transaction

MODERATORS = "Moderators"

HIDE_TIP_MESSAGE_PERMISSION = "payments.hide_tip_message"

# Permissions no model's Meta declares, as {"app.codename": ("app.Model", name)}. Tip's
# would need a payments migration, which is not this module's to write; moving it to
# Tip.Meta.permissions later keeps the same codename and rows.
CUSTOM_PERMISSIONS = {
    HIDE_TIP_MESSAGE_PERMISSION: ("payments.Tip", "Can hide and review tip messages"),
}

MODERATOR_PERMISSIONS = (
    "creators.view_creator",
    # The creator form is read-only in the admin (see CreatorAdmin); "change" is what
    # the moderation actions require, and they log every use.
    "creators.change_creator",
    "creators.view_walletkey",
    "moderation.view_report",
    "moderation.change_report",
    "moderation.view_moderationlogentry",
    "moderation.view_flaggedterm",
    "moderation.add_flaggedterm",
    "moderation.change_flaggedterm",
    "moderation.delete_flaggedterm",
    HIDE_TIP_MESSAGE_PERMISSION,
)


def _permission(dotted: str) -> Permission:
    app_label, codename = dotted.split(".")
    return Permission.objects.get(content_type__app_label=app_label, codename=codename)


def _ensure_custom_permissions() -> None:
    for dotted, (model_label, name) in CUSTOM_PERMISSIONS.items():
        content_type = ContentType.objects.get_for_model(apps.get_model(model_label))
        Permission.objects.get_or_create(
            content_type=content_type, codename=dotted.split(".")[1], defaults={"name": name}
        )


@transaction.atomic
def roles_setup() -> Group:
    """Create or repair the Moderators group so it has exactly MODERATOR_PERMISSIONS.

    Idempotent. Permissions the group was given by hand beyond these are removed:
    the group is defined here, not in the admin.
    """
    # migrate creates each app's permissions after that app's post_migrate; this may
    # run before payments' turn, so make sure they exist first.
    for app_label in {dotted.split(".")[0] for dotted in MODERATOR_PERMISSIONS}:
        create_permissions(apps.get_app_config(app_label), verbosity=0)
    _ensure_custom_permissions()
    group, _ = Group.objects.get_or_create(name=MODERATORS)
    group.permissions.set([_permission(dotted) for dotted in MODERATOR_PERMISSIONS])
    return group
