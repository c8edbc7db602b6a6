"""Tip messages: the word list flags, the creator holds or shows flagged ones, the creator
and moderators hide or approve; hidden and held messages never reach a public page."""

from __future__ import annotations

import pytest

from moderation.models import FlaggedTerm, ModerationLogEntry
from moderation.selectors import message_matches_word_list
from moderation.services import tip_message_hide
from payments.selectors import tip_public_message
from tests.factories import CreatorFactory
from widgets.services import widget_create

pytestmark = pytest.mark.django_db

SECRET = "Total scam, do not pay"


@pytest.mark.parametrize(
    ("message", "flagged"),
    [
        ("This is a SCAM!", True),
        ("scam", True),
        ("the scammer's video", False),
        ("a scampi recipe", False),
        ("please send   nudes", True),
        ("send me nudes", False),
        ("", False),
    ],
)
def test_the_word_list_matches_whole_words_and_phrases_ignoring_case(word_list, message, flagged):
    assert message_matches_word_list(message) is flagged


def test_an_empty_word_list_flags_nothing(db):
    assert not message_matches_word_list("scam")


def test_a_tip_is_flagged_when_made(word_list, make_tip):
    assert make_tip(SECRET).message_flagged
    assert not make_tip("Lovely video").message_flagged


def test_the_creator_chooses_to_hold_or_show_flagged_messages(word_list, creator, make_tip):
    tip = make_tip(SECRET)
    assert tip_public_message(tip) is None

    creator.hold_flagged_messages = False
    creator.save()
    tip.refresh_from_db()

    assert tip_public_message(tip) == SECRET


@pytest.fixture
def hidden_tip(make_tip, moderator):
    return tip_message_hide(tip=make_tip(SECRET), actor=moderator, reason="Abuse.")


@pytest.fixture
def held_tip(word_list, make_tip):
    return make_tip(SECRET)


@pytest.fixture
def widget_tip(word_list, creator, make_tip):
    widget = widget_create(creator=creator, label="Videos", min_tip_sats=1000)
    return make_tip(SECRET, widget=widget)


PUBLIC_PLACES = [
    "/t/{id}/",
    "/t/{id}/status.json",
    "/api/v1/tips/{id}/",
]


@pytest.mark.parametrize("tip_fixture", ["hidden_tip", "held_tip", "widget_tip"])
@pytest.mark.parametrize("place", PUBLIC_PLACES)
def test_hidden_and_held_messages_never_reach_a_public_page(client, request, tip_fixture, place):
    tip = request.getfixturevalue(tip_fixture)

    response = client.get(place.format(id=tip.public_id))

    assert response.status_code == 200
    assert SECRET not in response.content.decode()


def test_an_approved_message_shows_on_the_tip_page(client, creator_client, held_tip):
    creator_client.post(f"/dashboard/messages/{held_tip.public_id}", {"do": "approve"})

    assert SECRET in client.get(f"/t/{held_tip.public_id}/").content.decode()


def test_the_creator_sees_hidden_and_held_messages_with_a_marker(
    creator_client, hidden_tip, make_tip, word_list
):
    make_tip("Another scam")

    page = creator_client.get("/dashboard/messages/").content.decode()

    assert SECRET in page and "Another scam" in page
    assert "Hidden" in page
    assert "Held for review" in page


def test_the_creator_hides_a_message_of_their_own_tip(creator_client, make_tip):
    tip = make_tip(SECRET)

    response = creator_client.post(f"/dashboard/messages/{tip.public_id}", {"do": "hide"})

    assert response.status_code == 302
    tip.refresh_from_db()
    assert tip.message_hidden
    assert tip_public_message(tip) is None
    assert not ModerationLogEntry.objects.exists()  # the creator's own choice, not a staff action


def test_the_creator_shows_again_only_what_they_hid(creator_client, creator, make_tip, hidden_tip):
    own = make_tip("Mine")
    creator_client.post(f"/dashboard/messages/{own.public_id}", {"do": "hide"})

    creator_client.post(f"/dashboard/messages/{own.public_id}", {"do": "show"})
    response = creator_client.post(
        f"/dashboard/messages/{hidden_tip.public_id}", {"do": "show"}, follow=True
    )

    own.refresh_from_db()
    hidden_tip.refresh_from_db()
    assert not own.message_hidden
    assert hidden_tip.message_hidden
    assert "A moderator hid this message" in response.content.decode()


def test_a_creator_cannot_touch_another_creators_tip(client, make_tip):
    tip = make_tip(SECRET)
    client.force_login(CreatorFactory().user)

    response = client.post(f"/dashboard/messages/{tip.public_id}", {"do": "hide"})

    assert response.status_code == 404
    tip.refresh_from_db()
    assert not tip.message_hidden


def test_the_creator_sets_their_choice(creator_client, creator):
    response = creator_client.post("/dashboard/messages/hold", {})

    assert response.status_code == 302
    creator.refresh_from_db()
    assert creator.hold_flagged_messages is False


def test_moderators_see_flagged_messages_to_review(moderator_client, held_tip, make_tip):
    make_tip("Lovely video")

    page = moderator_client.get("/staff/messages/").content.decode()

    assert SECRET in page
    assert "Lovely video" not in page
    assert "Lovely video" in moderator_client.get("/staff/messages/?show=all").content.decode()


def test_a_moderator_hides_a_message_with_a_reason_in_the_log(
    moderator_client, moderator, held_tip
):
    response = moderator_client.post(
        f"/staff/messages/{held_tip.pk}/hide/", {"reason": "Harassment."}
    )

    assert response.status_code == 302
    held_tip.refresh_from_db()
    assert (held_tip.message_hidden, held_tip.message_hidden_by) == (True, moderator)
    entry = ModerationLogEntry.objects.get()
    assert (entry.action, entry.actor) == ("hide_message", moderator)
    assert entry.creator == held_tip.creator
    assert "Harassment." in entry.reason


def test_a_moderator_must_give_a_reason_to_hide(moderator_client, held_tip):
    response = moderator_client.post(f"/staff/messages/{held_tip.pk}/hide/", {"reason": ""})

    assert response.status_code == 400
    held_tip.refresh_from_db()
    assert not held_tip.message_hidden
    assert not ModerationLogEntry.objects.exists()


def test_a_moderator_approves_a_held_message(moderator_client, held_tip):
    response = moderator_client.post(f"/staff/messages/{held_tip.pk}/approve/")

    assert response.status_code == 302
    held_tip.refresh_from_db()
    assert held_tip.message_reviewed_at is not None
    assert tip_public_message(held_tip) == SECRET


def test_a_term_added_later_flags_only_new_tips(make_tip):
    before = make_tip(SECRET)
    FlaggedTerm.objects.create(term="Scam")

    after = make_tip(SECRET)

    assert (before.message_flagged, after.message_flagged) == (False, True)
