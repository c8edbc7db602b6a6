"""The API refuses what its schema refuses, and the schema states the API's rules."""

from __future__ import annotations

import pytest
from django.conf import settings

from creators.services import MAX_SUGGESTIONS
from widgets.models import Widget

pytestmark = pytest.mark.django_db


def refused_fields(response) -> dict:
    assert response.status_code == 400, response.content
    error = response.json()["error"]
    assert error["code"] == "invalid"
    return error["fields"]


def test_it_refuses_a_number_for_a_boolean(api, widget):
    response = api.patch(
        f"/api/v1/creator/widgets/{widget.public_id}/", {"is_active": 0}, format="json"
    )

    assert "is_active" in refused_fields(response)
    widget.refresh_from_db()
    assert widget.is_active is True


def test_it_refuses_a_string_for_a_number(api, creator):
    response = api.post(
        "/api/v1/creator/widgets/", {"label": "Tips", "min_tip_sats": "2000"}, format="json"
    )

    assert "min_tip_sats" in refused_fields(response)
    assert not Widget.objects.exists()


def test_it_refuses_an_empty_widget_filter(api, creator):
    response = api.get("/api/v1/creator/tips/?widget=")

    assert "widget" in refused_fields(response)


def test_it_refuses_a_page_size_that_is_not_a_number(api, creator):
    response = api.get("/api/v1/creator/tips/", {"page_size": "null"})

    assert "page_size" in refused_fields(response)


def test_it_refuses_a_page_size_above_the_maximum(api, creator):
    response = api.get("/api/v1/creator/tips/", {"page_size": 201})

    assert "page_size" in refused_fields(response)


def test_it_refuses_a_widget_minimum_below_the_creators(api, creator):
    response = api.post(
        "/api/v1/creator/widgets/",
        {"label": "Cheap", "min_tip_sats": creator.min_tip_sats - 1},
        format="json",
    )

    assert "min_tip_sats" in refused_fields(response)
    assert not Widget.objects.exists()


def test_it_refuses_more_than_six_suggested_amounts(api, creator):
    response = api.post(
        "/api/v1/creator/widgets/",
        {
            "label": "Tips",
            "min_tip_sats": 1000,
            "suggested_amounts": [1000 * n for n in range(1, MAX_SUGGESTIONS + 2)],
        },
        format="json",
    )

    assert "suggested_amounts" in refused_fields(response)
    assert not Widget.objects.exists()


def test_it_refuses_a_tip_for_both_a_widget_and_a_handle(anonymous, widget):
    response = anonymous.post(
        "/api/v1/tips/",
        {"widget": widget.public_id, "handle": "alice", "amount_sats": 5000},
        format="json",
    )

    assert "non_field_errors" in refused_fields(response)


def test_the_schema_states_the_limits(client):
    schema = client.get("/api/schema/", {"format": "json"}).json()
    components = schema["components"]["schemas"]
    widget = components["WidgetRequest"]["properties"]
    tip = components["TipCreateRequest"]
    parameters = {
        parameter["name"]: parameter
        for parameter in schema["paths"]["/api/v1/creator/tips/"]["get"]["parameters"]
    }

    assert widget["is_active"]["type"] == "boolean"
    assert widget["suggested_amounts"]["maxItems"] == MAX_SUGGESTIONS
    assert widget["suggested_amounts"]["items"]["maximum"] == settings.BITCACHE_MAX_TIP_SATS
    assert "your own minimum" in widget["min_tip_sats"]["description"]
    assert tip["allOf"] == [
        {"oneOf": [{"required": ["widget"]}, {"required": ["handle"]}]},
        {"oneOf": [{"required": ["amount_sats"]}, {"required": ["amount", "currency"]}]},
    ]
    assert tip["properties"]["amount_sats"]["minimum"] == 1
    assert tip["properties"]["amount_sats"]["maximum"] == settings.BITCACHE_MAX_TIP_SATS
    assert parameters["widget"]["schema"]["minLength"] == 1
    assert parameters["page_size"]["schema"] == {"type": "integer", "minimum": 1, "maximum": 200}
    assert parameters["cursor"]["schema"]["type"] == "string"
