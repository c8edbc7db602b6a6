"""Submitting the tip form: the server refuses what the browser should have refused."""

from __future__ import annotations

import pytest
from django.test import override_settings

from payments.models import Tip

pytestmark = pytest.mark.django_db


def test_it_creates_a_tip_and_redirects_to_its_payment_screen(client, creator):
    response = client.post("/@alice", {"amount_sats": "5000", "name": "Bob", "message": "Hi"})

    tip = Tip.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/t/{tip.public_id}/"
    assert (tip.creator, tip.amount_sats, tip.name, tip.message) == (creator, 5000, "Bob", "Hi")
    assert tip.widget is None


def test_it_records_the_widget_and_its_video_on_the_tip(client, creator, make_widget):
    widget = make_widget(creator, video_id="https://video.example/watch?v=42")

    response = client.post(f"/w/{widget.public_id}/", {"amount_sats": "1000"})

    tip = Tip.objects.get()
    assert response.status_code == 302
    assert tip.widget == widget
    assert tip.video_id == "https://video.example/watch?v=42"


def test_it_puts_the_rules_in_the_form_for_the_browser(client, widget):
    page = client.get(f"/w/{widget.public_id}/").content.decode()

    assert 'min="2000"' in page
    assert 'max="1000000000"' in page
    assert 'step="1"' in page
    assert 'name="name" maxlength="50"' in page
    assert 'maxlength="280"' in page
    assert 'data-message-min="The minimum tip is 2,000 sats."' in page


@pytest.mark.parametrize(
    ("amount", "message"),
    [
        ("1999", "The minimum tip is 2,000 sats."),
        ("-5000", "The minimum tip is 2,000 sats."),
        ("0", "The minimum tip is 2,000 sats."),
        ("lots", "Enter the amount as a whole number of sats, like 5000."),
        ("5000.5", "Enter the amount as a whole number of sats, like 5000."),
        ("1e9", "Enter the amount as a whole number of sats, like 5000."),
        ("", "Enter an amount in sats."),
        ("1000000001", "That is more than 1,000,000,000 sats; please check the amount."),
        ("9" * 40, "That is more than 1,000,000,000 sats; please check the amount."),
    ],
)
def test_it_refuses_a_bad_amount_and_creates_nothing(client, widget, amount, message):
    response = client.post(f"/w/{widget.public_id}/", {"amount_sats": amount})

    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Tip.objects.exists()


def test_it_keeps_what_the_viewer_typed_when_refusing(client, widget):
    response = client.post(
        f"/w/{widget.public_id}/", {"amount_sats": "10", "name": "Bob", "message": "Keep me"}
    )

    page = response.content.decode()
    assert 'value="Bob"' in page
    assert "Keep me</textarea>" in page


def test_it_refuses_a_name_longer_than_50_characters(client, creator):
    response = client.post("/@alice", {"amount_sats": "5000", "name": "x" * 51})

    assert response.status_code == 400
    assert "Name is limited to 50 characters." in response.content.decode()
    assert not Tip.objects.exists()


def test_it_refuses_a_message_longer_than_280_characters(client, creator):
    response = client.post("/@alice", {"amount_sats": "5000", "message": "x" * 281})

    assert response.status_code == 400
    assert "Message is limited to 280 characters." in response.content.decode()
    assert not Tip.objects.exists()


def test_it_refuses_a_tip_for_a_creator_suspended_meanwhile(client, creator):
    creator.status = "suspended"
    creator.save()

    response = client.post("/@alice", {"amount_sats": "5000"})

    assert response.status_code == 403
    assert not Tip.objects.exists()


@override_settings(BITCACHE_MAX_OPEN_TIPS_PER_CREATOR=1)
def test_it_asks_to_come_back_later_when_the_creator_has_too_many_open_tips(client, creator):
    client.post("/@alice", {"amount_sats": "5000"})

    response = client.post("/@alice", {"amount_sats": "5000"})

    assert response.status_code == 429
    assert "many unpaid tips waiting" in response.content.decode()
    assert Tip.objects.count() == 1


def test_it_needs_no_csrf_token_so_the_widget_works_inside_other_sites(creator):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)

    response = client.post("/@alice", {"amount_sats": "5000"})

    assert response.status_code == 302
    assert Tip.objects.count() == 1


def test_a_viewers_name_is_private_unless_they_tick_the_box(client, creator):
    page = client.get("/@alice").content.decode()
    assert 'name="name_public"' in page
    assert 'name="name_public" checked' not in page  # not by default
    client.post("/@alice", {"amount_sats": "5000", "name": "Bob"})
    client.post("/@alice", {"amount_sats": "5000", "name": "Carol", "name_public": "on"})
    assert dict(Tip.objects.values_list("name", "name_public")) == {"Bob": False, "Carol": True}
