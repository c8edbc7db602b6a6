"""An existing deployment upgrades across the re-layering and keeps everything.

Chain state and the simulated chain moved from payments to chain, webhook
endpoints and deliveries from payments to webhooks, the moderation log, reports and
flagged terms from creators to moderation. Their tables kept their names and the
content types moved with them. Here a database is taken back to the migrations a
deployment had before the move, filled through the models of that time, then
migrated forward as `manage.py migrate` would on upgrade; every row must still be
there, the Moderators group must keep its permissions and the pages must work.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.apps import apps as global_apps
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.contrib.auth.management import create_permissions
from django.contrib.auth.models import Group
from django.contrib.contenttypes.models import ContentType
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from btc import parse_key
from chain.models import ChainState, ScannedBlock, SimulatedBlock, SimulatedTransaction
from creators.models import Creator, WalletKey
from moderation.models import FlaggedTerm, ModerationLogEntry, Report
from moderation.roles import MODERATOR_PERMISSIONS, MODERATORS
from payments.models import Address, Payment, Tip
from tests.factories import BIP84_FIRST_ADDRESSES, BIP84_ZPUB, PASSWORD
from tests.staff import sign_in_with_second_factor
from webhooks.models import WebhookDelivery, WebhookEndpoint

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

# Our apps' last migrations before chain/, webhooks/ and moderation/ existed (None:
# the app had no migration yet). Every other app stays at its current state.
BEFORE_THE_MOVE = {
    "creators": "0003_api_keys",
    "payments": "0004_webhook_event_unlock_paid",
    "widgets": "0001_initial",
    "unlocks": "0002_grants_and_web_links",
    "chain": None,
    "webhooks": None,
    "moderation": None,
    "dashboard": None,  # its first migration (CSV exports) came later still
    "live": None,
    "overlays": None,
}

# What the Moderators group held then: the same rights, on the models' old apps.
OLD_MODERATOR_PERMISSIONS = [
    "creators.view_creator",
    "creators.change_creator",
    "creators.view_walletkey",
    "creators.view_report",
    "creators.change_report",
    "creators.view_moderationlogentry",
    "creators.view_flaggedterm",
    "creators.add_flaggedterm",
    "creators.change_flaggedterm",
    "creators.delete_flaggedterm",
    "payments.hide_tip_message",
]
# A staff member's own permissions on models that moved from payments.
OLD_OWN_PERMISSIONS = ["payments.view_webhookdelivery", "payments.view_chainstate"]
NEW_OWN_PERMISSIONS = {"webhooks.view_webhookdelivery", "chain.view_chainstate"}

TXID = "ab" * 32
BLOCK_HASH = "00" * 8 + "cd" * 24


def _executor() -> MigrationExecutor:
    return MigrationExecutor(connections[DEFAULT_DB_ALIAS])


def _latest() -> list[tuple[str, str]]:
    return _executor().loader.graph.leaf_nodes()


def _before_the_move() -> list[tuple[str, str | None]]:
    targets: list[tuple[str, str | None]] = [
        (app, name) for app, name in _latest() if app not in BEFORE_THE_MOVE
    ]
    return targets + list(BEFORE_THE_MOVE.items())


def _migrate(targets) -> None:
    _executor().migrate(targets)
    # Content types are cached by id and by (app, model); the moves renamed them.
    ContentType.objects.clear_cache()


@pytest.fixture
def old_apps(transactional_db):
    """The database as a deployment had it before the move, and that time's models.

    Whatever happens in the test, the database is left migrated to the latest state
    for the tests after it.
    """
    targets = _before_the_move()
    _migrate(targets)
    try:
        yield _executor().loader.project_state([t for t in targets if t[1] is not None]).apps
    finally:
        _migrate(_latest())


def _permissions(apps, dotted_names):
    permission = apps.get_model("auth", "Permission")
    found = []
    for dotted in dotted_names:
        app_label, codename = dotted.split(".")
        found.append(permission.objects.get(content_type__app_label=app_label, codename=codename))
    return found


def _content_types_of_that_time(apps) -> None:
    """What `migrate` had left then: no content type for the apps to come, and one with
    its permissions for each model of the apps that were there."""
    content_type = apps.get_model("contenttypes", "ContentType")
    content_type.objects.filter(app_label__in=["chain", "webhooks", "moderation"]).delete()
    for label in ("creators", "payments"):
        create_permissions(global_apps.get_app_config(label), verbosity=0, apps=apps)


def _fill(apps) -> dict:
    """One deployment's worth of rows, written through the models of that time."""
    _content_types_of_that_time(apps)
    user = apps.get_model("auth", "User")
    group = apps.get_model("auth", "Group")
    email_address = apps.get_model("account", "EmailAddress")
    now = timezone.now()

    alice_user = user.objects.create(
        username="alice", email="alice@example.com", password=make_password(PASSWORD)
    )
    moderator = user.objects.create(
        username="mod", email="mod@example.com", password=make_password(PASSWORD), is_staff=True
    )
    for person in (alice_user, moderator):
        email_address.objects.create(user=person, email=person.email, primary=True, verified=True)
    group.objects.filter(name=MODERATORS).delete()
    moderators = group.objects.create(name=MODERATORS)
    moderators.permissions.set(_permissions(apps, OLD_MODERATOR_PERMISSIONS))
    moderator.groups.add(moderators)
    moderator.user_permissions.set(_permissions(apps, OLD_OWN_PERMISSIONS))

    alice = apps.get_model("creators", "Creator").objects.create(
        user=alice_user,
        handle="alice",
        display_name="Alice Films",
        status="active",
        min_tip_sats=1000,
        thank_you_message="Thanks for the coffee!",
    )
    watch_key = parse_key(BIP84_ZPUB, network="mainnet")
    key = apps.get_model("creators", "WalletKey").objects.create(
        creator=alice,
        original=BIP84_ZPUB,
        descriptor=watch_key.descriptor,
        script_type=str(watch_key.script_type),
        network=watch_key.network,
        confirmed_at=now,
        next_index=1,
    )
    address = apps.get_model("payments", "Address").objects.create(
        creator=alice,
        wallet_key=key,
        index=0,
        address=BIP84_FIRST_ADDRESSES[0],
        used=True,
        reserved_until=now + timedelta(hours=1),
    )
    tip = apps.get_model("payments", "Tip").objects.create(
        creator=alice,
        address=address,
        amount_sats=21_000,
        minimum_sats=1000,
        name="Bob",
        message="Great video about lighthouses",
        status="confirmed",
        received_sats=21_000,
        confirmed_sats=21_000,
        expires_at=now + timedelta(hours=1),
        watch_until=now + timedelta(days=7),
        first_seen_at=now,
        confirmed_at=now,
    )
    apps.get_model("payments", "Payment").objects.create(
        tip=tip,
        address=address,
        txid=TXID,
        vout=1,
        value_sats=21_000,
        state="confirmed",
        block_height=101,
        block_hash=BLOCK_HASH,
    )
    endpoint = apps.get_model("payments", "WebhookEndpoint").objects.create(
        creator=alice, url="https://alice.example/hooks", description="My shop"
    )
    apps.get_model("payments", "WebhookDelivery").objects.create(
        endpoint=endpoint,
        tip=tip,
        event_type="tip.confirmed",
        payload={"tip": tip.public_id},
        status="succeeded",
        attempts=1,
        give_up_at=now + timedelta(days=1),
        response_code=200,
    )
    apps.get_model("creators", "ModerationLogEntry").objects.create(
        creator=alice,
        actor=moderator,
        action="approve",
        reason="Channel checked by hand.",
        from_status="pending",
        to_status="active",
    )
    apps.get_model("creators", "Report").objects.create(
        creator=alice, reason="spam", details="Posts the same link everywhere."
    )
    apps.get_model("creators", "FlaggedTerm").objects.create(term="send nudes")
    apps.get_model("payments", "ChainState").objects.create(
        height=101, block_hash=BLOCK_HASH, tip_height=101, consecutive_failures=2
    )
    apps.get_model("payments", "ScannedBlock").objects.create(
        height=101, block_hash=BLOCK_HASH, prev_hash="11" * 32
    )
    block = apps.get_model("payments", "SimulatedBlock").objects.create(
        height=101, block_hash=BLOCK_HASH, prev_hash="11" * 32
    )
    apps.get_model("payments", "SimulatedTransaction").objects.create(
        txid=TXID,
        block=block,
        in_mempool=False,
        outputs=[{"address": BIP84_FIRST_ADDRESSES[0], "value": 21_000}],
    )
    return {"tip_public_id": tip.public_id, "endpoint_public_id": endpoint.public_id}


def test_a_deployment_from_before_the_move_keeps_its_data_and_works(old_apps, client):
    written = _fill(old_apps)

    _migrate(_latest())

    alice = Creator.objects.get(handle="alice")
    assert alice.display_name == "Alice Films" and alice.status == "active"
    assert WalletKey.objects.get(creator=alice).original == BIP84_ZPUB
    assert Address.objects.get(creator=alice).address == BIP84_FIRST_ADDRESSES[0]
    tip = Tip.objects.get(creator=alice)
    assert tip.public_id == written["tip_public_id"]
    assert (tip.status, tip.confirmed_sats, tip.name) == ("confirmed", 21_000, "Bob")
    payment = Payment.objects.get()
    assert (payment.tip, payment.txid, payment.vout, payment.value_sats) == (tip, TXID, 1, 21_000)

    endpoint = WebhookEndpoint.objects.get()
    assert (endpoint.creator, endpoint.public_id) == (alice, written["endpoint_public_id"])
    assert endpoint.url == "https://alice.example/hooks"
    delivery = WebhookDelivery.objects.get()
    assert (delivery.endpoint, delivery.tip, delivery.status) == (endpoint, tip, "succeeded")
    assert delivery.payload == {"tip": tip.public_id}

    entry = ModerationLogEntry.objects.get()
    assert (entry.creator, entry.actor.username) == (alice, "mod")
    assert (entry.action, entry.reason) == ("approve", "Channel checked by hand.")
    report = Report.objects.get()
    assert (report.creator, report.reason) == (alice, "spam")
    assert list(FlaggedTerm.objects.values_list("term", flat=True)) == ["send nudes"]

    state = ChainState.objects.get()
    assert (state.height, state.block_hash, state.consecutive_failures) == (101, BLOCK_HASH, 2)
    assert ScannedBlock.objects.get().height == 101
    transaction = SimulatedTransaction.objects.get()
    assert transaction.block == SimulatedBlock.objects.get(block_hash=BLOCK_HASH)
    assert transaction.outputs[0]["value"] == 21_000

    moderators = Group.objects.get(name=MODERATORS)
    granted = {
        f"{p.content_type.app_label}.{p.codename}"
        for p in moderators.permissions.select_related("content_type")
    }
    assert granted == set(MODERATOR_PERMISSIONS)
    moderator = get_user_model().objects.get(username="mod")
    assert moderator.has_perms(NEW_OWN_PERMISSIONS)

    tip_page = client.get("/@alice")
    assert tip_page.status_code == 200
    assert "Alice Films" in tip_page.content.decode()

    client.force_login(alice.user)
    dashboard = client.get("/dashboard/")
    assert dashboard.status_code == 200
    assert "21,000 sats" in dashboard.content.decode()

    sign_in_with_second_factor(client, moderator)
    log_page = client.get("/staff/log/")
    assert log_page.status_code == 200
    assert "Channel checked by hand." in log_page.content.decode()
