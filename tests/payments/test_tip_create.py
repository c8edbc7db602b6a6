import pytest

from creators.models import CreatorStatus
from payments.models import Tip, TipStatus
from payments.services import TipRefused, tip_create, tip_watched
from widgets.models import Widget

FIRST_ADDRESSES = [
    "bc1qcr8te4kr609gcawutmrza0j4xv80jy8z306fyu",
    "bc1qnjg0jd8228aq7egyzacy8cys3knf9xvrerkf9g",
]


def test_it_gives_each_tip_a_fresh_address_of_the_creator_key(make_tip):
    first, second = make_tip(), make_tip()

    assert [first.address.address, second.address.address] == FIRST_ADDRESSES
    assert (first.address.index, second.address.index) == (0, 1)
    assert first.status == TipStatus.AWAITING_PAYMENT
    assert first.address.derivation_path == "0/0"


def test_it_gives_tips_unguessable_public_ids(make_tip):
    ids = {make_tip().public_id for _ in range(5)}

    assert len(ids) == 5
    assert all(len(public_id) >= 22 for public_id in ids)


def test_it_refuses_an_amount_below_the_minimum(make_tip):
    with pytest.raises(TipRefused) as refused:
        make_tip(999)

    assert refused.value.code == "amount_below_minimum"
    assert "1,000" in refused.value.message
    assert not Tip.objects.exists()


def test_it_uses_the_widget_minimum_when_it_is_higher(creator, make_tip):
    widget = Widget.objects.create(creator=creator, label="Video", min_tip_sats=5000)

    with pytest.raises(TipRefused):
        make_tip(4000, widget=widget)
    tip = make_tip(5000, widget=widget)

    assert tip.minimum_sats == 5000
    assert tip.widget == widget


@pytest.mark.parametrize("amount", [-5, 0, "1000", 12.5, True, 10**30])
def test_it_refuses_amounts_that_are_not_sane_whole_sats(make_tip, amount):
    with pytest.raises(TipRefused):
        make_tip(amount)

    assert not Tip.objects.exists()


@pytest.mark.parametrize(
    "status", [CreatorStatus.PENDING, CreatorStatus.SUSPENDED, CreatorStatus.REJECTED]
)
def test_it_refuses_tips_for_a_creator_not_accepting_them(creator, make_tip, status):
    creator.status = status
    creator.save()

    with pytest.raises(TipRefused) as refused:
        make_tip()

    assert refused.value.code == "not_accepting"


def test_it_refuses_tips_when_the_key_is_not_confirmed(creator, make_tip):
    creator.wallet_keys.update(confirmed_at=None)

    with pytest.raises(TipRefused) as refused:
        make_tip()

    assert refused.value.code == "not_accepting"


def test_it_keeps_name_and_message_as_plain_trimmed_text(make_tip):
    tip = make_tip(name="  Bob\x00 ", message="<script>alert(1)</script>\x07 merci")

    assert tip.name == "Bob"
    assert tip.message == "<script>alert(1)</script> merci"


@pytest.mark.parametrize(("field", "length"), [("name", 51), ("message", 281)])
def test_it_refuses_overlong_name_or_message(make_tip, field, length):
    with pytest.raises(TipRefused) as refused:
        make_tip(**{field: "x" * length})

    assert refused.value.code == f"{field}_too_long"


def test_it_caps_open_unpaid_tips_per_creator(make_tip, settings):
    settings.BITCACHE_MAX_OPEN_TIPS_PER_CREATOR = 3
    for _ in range(3):
        make_tip()

    with pytest.raises(TipRefused) as refused:
        make_tip()

    assert refused.value.code == "busy"
    assert Tip.objects.count() == 3


def test_a_widget_of_another_creator_is_refused(make_tip):
    from tests.factories import CreatorFactory

    other = CreatorFactory(status="active")
    widget = Widget.objects.create(creator=other, label="Theirs", min_tip_sats=1000)

    with pytest.raises(TipRefused):
        make_tip(widget=widget)


def test_tip_create_signature_is_keyword_only(creator):
    with pytest.raises(TypeError):
        tip_create(creator, 5000)


def test_one_client_holds_only_a_few_of_a_creators_places(make_tip, settings):
    settings.BITCACHE_MAX_OPEN_TIPS_PER_CLIENT = 2
    make_tip(client="a-client"), make_tip(client="a-client")

    with pytest.raises(TipRefused) as refused:
        make_tip(client="a-client")

    assert refused.value.code == "busy"
    assert "You already have 2 unpaid tips open for this creator" in refused.value.message
    assert make_tip(client="another-client").status == TipStatus.AWAITING_PAYMENT


def test_a_tip_nobody_watches_stops_holding_a_place(make_tip, settings):
    settings.BITCACHE_MAX_OPEN_TIPS_PER_CREATOR = 2
    unwatched = settings.BITCACHE_TIP_UNWATCHED_MINUTES
    make_tip(minutes_ago=unwatched + 1), make_tip(minutes_ago=unwatched + 1)

    assert make_tip().status == TipStatus.AWAITING_PAYMENT


def test_a_watched_tip_keeps_its_place_and_the_refusal_says_when_one_frees(make_tip, settings):
    settings.BITCACHE_MAX_OPEN_TIPS_PER_CREATOR = 1
    tip = make_tip(minutes_ago=settings.BITCACHE_TIP_UNWATCHED_MINUTES + 1)
    tip_watched(tip=tip)

    with pytest.raises(TipRefused) as refused:
        make_tip()

    assert "A place frees up in about 10 minutes" in refused.value.message
    assert 540 < refused.value.retry_after() <= 600
