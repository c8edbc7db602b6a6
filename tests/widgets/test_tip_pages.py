"""/@handle and /w/<id>/: what a viewer sees before tipping."""

from __future__ import annotations

import pytest

from creators.models import CreatorStatus
from tests.factories import CreatorFactory

pytestmark = pytest.mark.django_db


def test_it_shows_the_creators_tip_page(client, creator):
    creator.verified = True
    creator.suggested_amounts = [1000, 5000, 21000]
    creator.save()

    response = client.get("/@alice")

    assert response.status_code == 200
    page = response.content.decode()
    assert "Alice Films" in page
    assert "I make films about bitcoin." in page
    assert "Verified" in page
    assert "Minimum 1,000 sats" in page
    for amount in ("1,000", "5,000", "21,000"):
        assert f">{amount}</button>" in page
    assert 'name="amount_sats"' in page


def test_it_finds_a_handle_whatever_its_case(client, creator):
    assert client.get("/@ALICE").status_code == 200


def test_it_answers_404_for_an_unknown_handle(client, db):
    assert client.get("/@nobody").status_code == 404


def test_it_shows_the_widget_with_the_widgets_minimum_and_amounts(client, widget):
    response = client.get(f"/w/{widget.public_id}/")

    assert response.status_code == 200
    page = response.content.decode()
    assert "Minimum 2,000 sats" in page
    assert 'min="2000"' in page
    assert ">5,000</button>" in page
    assert "site-header" not in page  # the compact layout, not the site's


def test_it_answers_404_for_an_unknown_widget(client, db):
    assert client.get("/w/doesnotexist/").status_code == 404


def test_it_answers_404_for_a_disabled_widget(client, widget):
    widget.is_active = False
    widget.save()

    assert client.get(f"/w/{widget.public_id}/").status_code == 404


def test_it_offers_multiples_of_the_minimum_when_nobody_chose_amounts(client, creator):
    page = client.get("/@alice").content.decode()

    for amount in ("1,000", "2,000", "5,000", "10,000"):
        assert f">{amount}</button>" in page


def test_it_only_suggests_amounts_the_widget_accepts(client, creator, make_widget):
    creator.suggested_amounts = [500, 3000]
    creator.save()
    widget = make_widget(creator, min_tip_sats=2000)

    page = client.get(f"/w/{widget.public_id}/").content.decode()

    assert ">3,000</button>" in page
    assert ">500</button>" not in page


@pytest.mark.parametrize(
    ("status", "http_status"),
    [
        (CreatorStatus.PENDING, 403),
        (CreatorStatus.SUSPENDED, 403),
        (CreatorStatus.REJECTED, 410),
    ],
)
def test_it_says_a_creator_not_approved_takes_no_tips(client, creator, status, http_status):
    creator.status = status
    creator.save()

    response = client.get("/@alice")

    assert response.status_code == http_status
    page = response.content.decode()
    assert "This creator is not accepting tips right now." in page
    assert '<form method="post" class="tip-form"' not in page
    assert "I make films about bitcoin." not in page  # no profile while not approved


def test_it_says_a_widget_of_a_suspended_creator_takes_no_tips(client, creator, widget):
    creator.status = CreatorStatus.SUSPENDED
    creator.save()

    response = client.get(f"/w/{widget.public_id}/")

    assert response.status_code == 403
    assert "This creator is not accepting tips right now." in response.content.decode()
    assert 'name="amount_sats"' not in response.content.decode()


def test_a_creator_waiting_for_review_is_told_why_their_widget_takes_no_tips(
    client, creator, widget
):
    creator.status = CreatorStatus.PENDING
    creator.save()
    client.force_login(creator.user)

    page = client.get(f"/w/{widget.public_id}/").content.decode()

    assert "This creator is not accepting tips right now." in page
    assert "Only you see this: your profile is waiting for review by a moderator." in page


def test_viewers_are_not_told_a_creator_is_waiting_for_review(client, creator, widget):
    creator.status = CreatorStatus.PENDING
    creator.save()
    client.force_login(CreatorFactory().user)

    for url in (f"/w/{widget.public_id}/", "/@alice"):
        page = client.get(url).content.decode()
        assert "This creator is not accepting tips right now." in page
        assert "review" not in page


def test_a_creator_without_a_confirmed_key_is_told_to_add_one(client, db):
    creator = CreatorFactory(handle="keyless", wallet_key=None)
    client.force_login(creator.user)

    page = client.get("/@keyless").content.decode()

    assert "Only you see this: add your wallet key so viewers can tip you." in page


def test_it_takes_no_tips_before_the_creator_has_a_confirmed_key(client, db):
    CreatorFactory(handle="keyless", wallet_key=None)

    response = client.get("/@keyless")

    assert response.status_code == 403
    assert 'name="amount_sats"' not in response.content.decode()


def test_it_escapes_the_creators_name_and_bio(client, db):
    CreatorFactory(handle="mallory", display_name="<script>alert(1)</script>", bio="<img src=x>")

    page = client.get("/@mallory").content.decode()

    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "<img src=x>" not in page
