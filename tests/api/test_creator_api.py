"""Creator API: API keys, the creator's tips, totals and widgets, and nobody else's."""

from __future__ import annotations

from datetime import timedelta
from unittest import mock

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.test import APIClient

from creators.models import ApiKey
from creators.services import api_key_revoke
from payments.services import tip_create
from tests.factories import CreatorFactory
from widgets.models import Widget
from widgets.services import widget_create

pytestmark = pytest.mark.django_db


def test_it_asks_for_an_api_key(anonymous, creator):
    response = anonymous.get("/api/v1/creator/tips/")

    assert response.status_code == 401
    assert response["WWW-Authenticate"] == 'Bearer realm="api"'
    assert response.json()["error"]["code"] == "not_authenticated"


def test_it_refuses_an_unknown_key(creator):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION="Bearer bc_not-a-key")

    response = client.get("/api/v1/creator/tips/")

    assert response.status_code == 401
    assert response.json()["error"]["code"] == "authentication_failed"


def test_it_refuses_a_revoked_key(api, api_key):
    api_key_revoke(api_key=ApiKey.objects.get(secret_hash=ApiKey.hash(api_key)))

    assert api.get("/api/v1/creator/tips/").status_code == 401


def test_it_refuses_the_keys_of_a_deactivated_account(api, api_key, creator):
    creator.user.is_active = False
    creator.user.save()

    response = api.get("/api/v1/creator/tips/")

    assert response.status_code == 401


def test_it_records_when_a_key_was_last_used_at_most_once_a_minute(api, api_key):
    start = timezone.now()

    def call_at(moment):
        """Call the API with the clock at `moment`; the key's row writes it made."""
        with (
            mock.patch("creators.api.timezone.now", return_value=moment),
            CaptureQueriesContext(connection) as queries,
        ):
            assert api.get("/api/v1/creator/totals/").status_code == 200
        return [q for q in queries if q["sql"].startswith('UPDATE "creators_apikey"')]

    def last_used_at():
        return ApiKey.objects.get(secret_hash=ApiKey.hash(api_key)).last_used_at

    assert len(call_at(start)) == 1
    assert last_used_at() == start

    assert call_at(start + timedelta(seconds=59)) == []
    assert last_used_at() == start

    assert len(call_at(start + timedelta(minutes=1, seconds=1))) == 1
    assert last_used_at() == start + timedelta(minutes=1, seconds=1)


def test_it_lists_the_creators_tips_newest_first(api, creator):
    older = tip_create(creator=creator, amount_sats=5000, now=timezone.now() - timedelta(hours=1))
    newer = tip_create(creator=creator, amount_sats=6000, name="Bob")
    tip_create(creator=CreatorFactory(), amount_sats=7000)

    response = api.get("/api/v1/creator/tips/")

    assert response.status_code == 200
    body = response.json()
    assert [tip["id"] for tip in body["results"]] == [newer.public_id, older.public_id]
    first = body["results"][0]
    assert first["name"] == "Bob"
    assert first["address"] == newer.address.address
    assert first["derivation_path"] == newer.address.derivation_path


def test_it_filters_tips(api, creator, pay):
    paid = tip_create(creator=creator, amount_sats=5000, message="love the bitcoin video")
    tip_create(creator=creator, amount_sats=5000, message="hello")
    pay(paid)

    by_status = api.get("/api/v1/creator/tips/", {"status": "confirmed"}).json()
    by_search = api.get("/api/v1/creator/tips/", {"search": "BITCOIN"}).json()
    by_date = api.get("/api/v1/creator/tips/", {"until": "2000-01-01"}).json()

    assert [tip["id"] for tip in by_status["results"]] == [paid.public_id]
    assert by_status["results"][0]["confirmations"] == 1
    assert len(by_status["results"][0]["txids"]) == 1
    assert [tip["id"] for tip in by_search["results"]] == [paid.public_id]
    assert by_date["results"] == []


def test_it_refuses_a_bad_filter(api, creator):
    response = api.get("/api/v1/creator/tips/", {"since": "last tuesday"})

    assert response.status_code == 400
    assert "since" in response.json()["error"]["fields"]


def test_it_paginates_by_cursor(api, creator):
    tips = [tip_create(creator=creator, amount_sats=5000) for _ in range(3)]

    first = api.get("/api/v1/creator/tips/", {"page_size": 2}).json()
    second = api.get(first["next"]).json()

    assert [tip["id"] for tip in first["results"] + second["results"]] == [
        tip.public_id for tip in reversed(tips)
    ]
    assert "cursor=" in first["next"]
    assert second["next"] is None
    assert [tip["id"] for tip in api.get(second["previous"]).json()["results"]] == [
        tip["id"] for tip in first["results"]
    ]


def test_its_pages_hold_each_tip_once_even_tips_made_at_the_same_moment(api, creator):
    moment = timezone.now() - timedelta(minutes=5)
    tips = [tip_create(creator=creator, amount_sats=5000, now=moment) for _ in range(5)]

    seen, url = [], "/api/v1/creator/tips/?page_size=2"
    while url:
        body = api.get(url).json()
        seen += [tip["id"] for tip in body["results"]]
        url = body["next"]

    assert sorted(seen) == sorted(tip.public_id for tip in tips)


def test_it_reads_one_tip(api, creator):
    tip = tip_create(creator=creator, amount_sats=5000, message="hi")

    response = api.get(f"/api/v1/creator/tips/{tip.public_id}/")

    assert response.status_code == 200
    assert response.json()["message"] == "hi"


def test_it_handles_another_creators_tip(api):
    theirs = tip_create(creator=CreatorFactory(), amount_sats=5000)

    response = api.get(f"/api/v1/creator/tips/{theirs.public_id}/")

    assert response.status_code == 404


def test_it_gives_totals(api, creator, pay):
    pay(tip_create(creator=creator, amount_sats=21_000))
    pay(tip_create(creator=creator, amount_sats=5000), confirm=False)

    response = api.get("/api/v1/creator/totals/")

    assert response.status_code == 200
    assert response.json() == {
        "confirmed": {"count": 1, "sats": 21_000, "btc": "0.00021"},
        "today": {"count": 1, "sats": 21_000, "btc": "0.00021"},
        "this_month": {"count": 1, "sats": 21_000, "btc": "0.00021"},
        "confirming": {"count": 1, "sats": 5000, "btc": "0.00005"},
    }


def test_it_lists_the_creators_widgets(api, creator):
    widget_create(creator=creator, label="Mine", min_tip_sats=1000)
    widget_create(creator=CreatorFactory(), label="Theirs", min_tip_sats=1000)

    response = api.get("/api/v1/creator/widgets/")

    assert response.status_code == 200
    assert [widget["label"] for widget in response.json()["results"]] == ["Mine"]


def test_it_creates_a_widget(api, creator):
    response = api.post(
        "/api/v1/creator/widgets/",
        {
            "label": "Stream",
            "min_tip_sats": 2000,
            "suggested_amounts": [5000, 2000],
            "theme": "dark",
        },
        format="json",
    )

    assert response.status_code == 201
    widget = Widget.objects.get()
    assert widget.creator == creator
    assert widget.suggested_amounts == [2000, 5000]
    assert response.json()["id"] == widget.public_id


def test_it_applies_the_widget_rules(api, creator):
    response = api.post(
        "/api/v1/creator/widgets/", {"label": "Cheap", "min_tip_sats": 10}, format="json"
    )

    assert response.status_code == 400
    assert "min_tip_sats" in response.json()["error"]["fields"]
    assert not Widget.objects.exists()


def test_it_updates_some_fields_of_a_widget(api, creator):
    widget = widget_create(creator=creator, label="Old", min_tip_sats=1000, theme="dark")

    response = api.patch(
        f"/api/v1/creator/widgets/{widget.public_id}/",
        {"label": "New", "is_active": False},
        format="json",
    )

    assert response.status_code == 200
    widget.refresh_from_db()
    assert widget.label == "New"
    assert widget.theme == "dark"
    assert widget.is_active is False


def test_it_handles_another_creators_widget(api):
    theirs = widget_create(creator=CreatorFactory(), label="Theirs", min_tip_sats=1000)

    response = api.patch(
        f"/api/v1/creator/widgets/{theirs.public_id}/", {"label": "Mine now"}, format="json"
    )

    assert response.status_code == 404
    theirs.refresh_from_db()
    assert theirs.label == "Theirs"


def test_it_answers_an_unknown_api_url_in_its_error_format(anonymous, db):
    response = anonymous.get("/api/v1/no-such-thing/")

    assert response.status_code == 404
    assert response.json() == {"error": {"code": "not_found", "message": "Not found."}}
