"""Creating the creator profile after the first sign-in."""

import io

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from creators import services
from creators.models import Creator, CreatorStatus
from tests.creators.uploads import HTML, image_upload
from tests.factories import CreatorFactory, UserFactory

pytestmark = pytest.mark.django_db

URL = "/dashboard/welcome/"


@pytest.fixture
def user_client(client):
    user = UserFactory()
    client.force_login(user)
    client.user = user
    return client


def _profile(**changes):
    return {
        "handle": "satoshi-clips",
        "display_name": "Satoshi Clips",
        "bio": "Short videos about money.",
        "channel_url": "https://video.example/@satoshi",
        **changes,
    }


def test_it_creates_a_pending_profile(user_client):
    response = user_client.post(URL, _profile())

    assert response.status_code == 302
    assert response.url == "/dashboard/"
    creator = Creator.objects.get(user=user_client.user)
    assert creator.handle == "satoshi-clips"
    assert creator.display_name == "Satoshi Clips"
    assert creator.status == CreatorStatus.PENDING


def test_it_creates_an_active_profile_when_the_site_needs_no_approval(user_client, settings):
    settings.BITCACHE_REQUIRE_APPROVAL = False

    user_client.post(URL, _profile())

    assert Creator.objects.get(user=user_client.user).status == CreatorStatus.ACTIVE


def test_it_sends_a_dashboard_visitor_without_a_profile_here(user_client):
    response = user_client.get("/dashboard/")

    assert response.status_code == 302
    assert response.url == URL


def test_it_sends_a_user_with_a_profile_to_the_dashboard(client):
    client.force_login(CreatorFactory().user)

    response = client.get(URL)

    assert response.status_code == 302
    assert response.url == "/dashboard/"


def test_it_refuses_a_handle_taken_in_another_case(user_client):
    CreatorFactory(handle="Satoshi-Clips")

    response = user_client.post(URL, _profile(handle="satoshi-CLIPS"))

    assert response.status_code == 200
    assert "This handle is taken" in response.context["form"].errors["handle"][0]
    assert not Creator.objects.filter(user=user_client.user).exists()


@pytest.mark.parametrize(
    ("typed", "handle"),
    [("@Alice Streams", "Alice-Streams"), ("  alice   the  great ", "alice-the-great")],
)
def test_it_makes_a_handle_of_what_was_typed(user_client, typed, handle):
    response = user_client.post(URL, _profile(handle=typed))

    assert response.status_code == 302
    assert Creator.objects.get(user=user_client.user).handle == handle


def test_it_says_how_a_typed_handle_is_normalised(user_client):
    page = user_client.get(URL).content.decode()

    assert "“@Alice Streams” becomes Alice-Streams" in page


def test_it_adds_https_to_a_channel_url_typed_without_it(user_client):
    page = user_client.get(URL).content.decode()
    assert 'type="url"' not in page  # the browser would refuse youtube.com/@me

    response = user_client.post(URL, _profile(channel_url="youtube.com/@satoshi"))

    assert response.status_code == 302
    assert Creator.objects.get().channel_url == "https://youtube.com/@satoshi"


@pytest.mark.parametrize("handle", ["admin", "Dashboard", "api"])
def test_it_refuses_a_reserved_handle(user_client, handle):
    response = user_client.post(URL, _profile(handle=handle))

    assert response.status_code == 200
    assert "is reserved" in response.context["form"].errors["handle"][0]
    assert not Creator.objects.filter(user=user_client.user).exists()


@pytest.mark.parametrize("handle", ["a+b", "é-clips", "x", "../admin", "-dash", "clips_"])
def test_it_refuses_a_handle_that_is_not_url_safe(user_client, handle):
    response = user_client.post(URL, _profile(handle=handle))

    assert response.status_code == 200
    assert "handle" in response.context["form"].errors
    assert not Creator.objects.filter(user=user_client.user).exists()


@pytest.mark.parametrize(
    ("image_format", "extension"), [("PNG", "png"), ("JPEG", "jpg"), ("WEBP", "webp")]
)
def test_it_keeps_an_avatar_named_after_its_real_format(user_client, image_format, extension):
    upload = image_upload(image_format, name="page.html")

    user_client.post(URL, _profile(avatar=upload))

    avatar = Creator.objects.get(user=user_client.user).avatar
    assert avatar.name.startswith("avatars/")
    assert avatar.name.endswith(f".{extension}")
    assert "page" not in avatar.name


def test_it_refuses_an_avatar_in_another_image_format(user_client):
    response = user_client.post(URL, _profile(avatar=image_upload("GIF", name="me.png")))

    assert response.status_code == 200
    assert response.context["form"].errors["avatar"] == [
        "Please upload a PNG, JPEG or WebP picture."
    ]
    assert not Creator.objects.filter(user=user_client.user).exists()


def test_it_refuses_an_avatar_that_is_not_an_image(user_client):
    fake = SimpleUploadedFile("me.png", b"<script>alert(1)</script>")

    response = user_client.post(URL, _profile(avatar=fake))

    assert response.status_code == 200
    assert "avatar" in response.context["form"].errors
    assert not Creator.objects.filter(user=user_client.user).exists()


def test_it_refuses_an_avatar_over_the_size_limit(user_client, settings):
    settings.BITCACHE_MAX_AVATAR_BYTES = 2048

    response = user_client.post(URL, _profile(avatar=image_upload("PNG", side=64)))

    assert response.status_code == 200
    assert "too large" in response.context["form"].errors["avatar"][0]
    assert not Creator.objects.filter(user=user_client.user).exists()


def test_it_turns_a_handle_lost_to_a_concurrent_sign_up_into_a_form_error(monkeypatch):
    # Both sign-ups passed the "is it free?" check; the database decides.
    CreatorFactory(handle="satoshi")
    answers = iter([False, True])
    monkeypatch.setattr(services, "creator_handle_taken", lambda **kwargs: next(answers))

    with pytest.raises(ValidationError) as refused:
        services.creator_create(user=UserFactory(), handle="SATOSHI", display_name="S")

    assert refused.value.message_dict == {"handle": [str(services.HANDLE_TAKEN)]}
    assert Creator.objects.filter(handle__iexact="satoshi").count() == 1


@pytest.mark.parametrize("image_format", ["JPEG", "PNG", "WEBP"])
def test_it_stores_an_avatar_without_its_metadata_or_what_follows_it(user_client, image_format):
    user_client.post(URL, _profile(avatar=image_upload(image_format, gps=True, trailer=HTML)))

    stored = Creator.objects.get(user=user_client.user).avatar.open().read()
    picture = Image.open(io.BytesIO(stored))
    assert picture.format == image_format
    assert b"<html" not in stored
    assert not picture.getexif()  # no camera, no GPS position


def test_it_scales_a_large_avatar_down(user_client, settings):
    settings.BITCACHE_MAX_AVATAR_BYTES = 32 * 1024 * 1024

    user_client.post(URL, _profile(avatar=image_upload("JPEG", side=2100)))

    stored = Creator.objects.get(user=user_client.user).avatar.open().read()
    assert Image.open(io.BytesIO(stored)).size == (2048, 2048)


def test_it_keeps_the_picked_avatar_when_another_field_is_refused(user_client):
    refused = user_client.post(URL, _profile(handle="x", avatar=image_upload("PNG")))

    assert refused.status_code == 200
    assert "The picture you picked is kept" in refused.content.decode()
    assert refused.context["stashed_avatar_url"].startswith("/media/avatars/stash/")

    response = user_client.post(URL, _profile(handle="satoshi-clips"))  # no picture this time

    assert response.status_code == 302
    avatar = Creator.objects.get(user=user_client.user).avatar
    assert avatar.name.startswith("avatars/") and avatar.name.endswith(".png")
    assert "stash" not in avatar.name


def test_a_fresh_visit_to_the_form_forgets_a_kept_avatar(user_client):
    user_client.post(URL, _profile(handle="x", avatar=image_upload("PNG")))

    page = user_client.get(URL)
    user_client.post(URL, _profile())

    assert "The picture you picked is kept" not in page.content.decode()
    assert not Creator.objects.get(user=user_client.user).avatar
