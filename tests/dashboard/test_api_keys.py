"""/dashboard/api-keys/: make a key (its token shown once, stored hashed), revoke it."""

from __future__ import annotations

import hashlib

import pytest

from creators.models import ApiKey
from creators.services import api_key_create
from tests.factories import CreatorFactory

pytestmark = pytest.mark.django_db

URL = "/dashboard/api-keys/"


def test_it_creates_a_key_and_shows_its_token_once(creator_client, creator):
    response = creator_client.post(URL, {"name": "stream overlay"})

    assert response.status_code == 200
    token = response.context["token"]
    assert token.startswith("bc_")
    assert token in response.content.decode()
    key = ApiKey.objects.get()
    assert key.creator == creator
    assert key.name == "stream overlay"
    assert key.secret_hash == hashlib.sha256(token.encode()).hexdigest()
    assert token not in str(ApiKey.objects.values().get())
    assert token not in creator_client.get(URL).content.decode()
    assert key.prefix in creator_client.get(URL).content.decode()


def test_it_revokes_a_key(creator_client, creator):
    key, _token = api_key_create(creator=creator, name="old")

    response = creator_client.post(f"/dashboard/api-keys/{key.pk}/revoke")

    assert response.status_code == 302
    key.refresh_from_db()
    assert key.revoked_at is not None


def test_it_does_not_revoke_another_creators_key(creator_client):
    theirs, _token = api_key_create(creator=CreatorFactory(), name="theirs")

    response = creator_client.post(f"/dashboard/api-keys/{theirs.pk}/revoke")

    assert response.status_code == 404
    theirs.refresh_from_db()
    assert theirs.revoked_at is None
