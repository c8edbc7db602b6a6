"""The creator dashboard: status, profile summary and wallet key status."""

import pytest

from moderation import services
from tests.factories import CreatorFactory

pytestmark = pytest.mark.django_db

URL = "/dashboard/"


def test_it_says_a_pending_creator_waits_for_review(creator_client):
    response = creator_client.get(URL)

    assert response.status_code == 200
    assert b"Waiting for review" in response.content


def test_it_shows_a_suspended_creator_the_reason(client, moderator):
    creator = CreatorFactory(status="active")
    services.creator_suspend(
        creator=creator, actor=moderator, reason="Impersonates another channel."
    )
    client.force_login(creator.user)

    response = client.get(URL)

    assert response.status_code == 200
    assert b"Your account is suspended" in response.content
    assert b"Impersonates another channel." in response.content


def test_it_shows_a_rejected_creator_the_reason(creator_client, creator, moderator):
    services.creator_reject(creator=creator, actor=moderator, reason="Spam profile.")

    response = creator_client.get(URL)

    assert b"Your profile was not approved" in response.content
    assert b"Spam profile." in response.content


def test_it_does_not_quote_the_approval_reason_to_an_active_creator(
    creator_client, creator, moderator
):
    services.creator_approve(creator=creator, actor=moderator, reason="internal: checked ID")

    response = creator_client.get(URL)

    assert b"Your tip page is live" in response.content
    assert b"internal: checked ID" not in response.content


def test_it_links_to_adding_a_wallet_key_when_there_is_none(creator_client):
    response = creator_client.get(URL)

    assert b"No wallet key yet" in response.content
    assert b'href="/dashboard/key/"' in response.content


def test_it_shows_the_key_is_ready(client):
    creator = CreatorFactory()
    client.force_login(creator.user)

    response = client.get(URL)

    assert b"No wallet key yet" not in response.content
    assert b"Tips go to p2wpkh addresses of your wallet (mainnet)." in response.content


def test_it_shows_the_profile_summary(creator_client, creator):
    response = creator_client.get(URL)

    assert f"@{creator.handle}".encode() in response.content
    assert b'href="/dashboard/profile/"' in response.content
