"""Editing the public profile."""

import pytest

from creators.models import CreatorStatus
from tests.creators.uploads import image_upload

pytestmark = pytest.mark.django_db

URL = "/dashboard/profile/"


def test_it_saves_the_profile(creator_client, creator):
    response = creator_client.post(
        URL,
        {
            "display_name": "New Name",
            "bio": "New bio",
            "channel_url": "video.example/@new",
            "avatar": image_upload("PNG"),
        },
    )

    assert response.status_code == 302
    creator.refresh_from_db()
    assert creator.display_name == "New Name"
    assert creator.bio == "New bio"
    assert creator.channel_url == "https://video.example/@new"
    assert creator.avatar.name.endswith(".png")


def test_it_removes_the_avatar(creator_client, creator):
    creator_client.post(URL, {"display_name": "X", "avatar": image_upload("PNG")})

    creator_client.post(URL, {"display_name": "X", "avatar-clear": "on"})

    creator.refresh_from_db()
    assert not creator.avatar


def test_it_keeps_the_handle_and_status(creator_client, creator):
    handle = creator.handle

    creator_client.post(URL, {"display_name": "X", "handle": "someone-famous", "status": "active"})

    creator.refresh_from_db()
    assert creator.handle == handle
    assert creator.status == CreatorStatus.PENDING


def test_it_shows_errors_without_saving(creator_client, creator):
    name = creator.display_name

    response = creator_client.post(URL, {"display_name": "", "channel_url": "not a url"})

    assert response.status_code == 200
    assert set(response.context["form"].errors) == {"display_name", "channel_url"}
    creator.refresh_from_db()
    assert creator.display_name == name


def test_it_keeps_the_picked_avatar_after_an_error(creator_client, creator):
    picked = image_upload("JPEG")
    refused = creator_client.post(URL, {"display_name": "", "avatar": picked})
    assert "The picture you picked is kept" in refused.content.decode()

    creator_client.post(URL, {"display_name": "Satoshi"})

    creator.refresh_from_db()
    assert creator.avatar.name.endswith(".jpg")
