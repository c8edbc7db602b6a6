"""Schemathesis against /api/schema/: generated requests to every operation, through
the real WSGI application, never get a 5xx or an answer the schema does not describe;
and requests the schema refuses are refused (400) by the API too."""

from __future__ import annotations

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, given, settings
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.core.errors import InvalidSchema
from schemathesis.core.result import Err, Ok
from schemathesis.schemas import APIOperation
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    negative_data_rejection,
    response_schema_conformance,
    status_code_conformance,
)

from payments.services import tip_create

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
    negative_data_rejection,  # only judges requests generated to break the schema
]
# The schema endpoint reads no database, so the schema can be loaded when tests are collected.
SCHEMA = schemathesis.openapi.from_wsgi("/api/schema/?format=json", get_wsgi_application())


def _operation(result: Ok[APIOperation] | Err[InvalidSchema]) -> APIOperation:
    """An operation of the schema; an invalid one fails collection with its reason."""
    if isinstance(result, Err):
        raise result.err()
    return result.ok()


OPERATIONS = {
    operation.label: operation for operation in (_operation(r) for r in SCHEMA.get_all_operations())
}
# Requests that break the schema can be made where there is a body or query to break
# (a path id is any string; headers are the key, which the test sends itself).
RUNS = [(label, GenerationMode.POSITIVE) for label in sorted(OPERATIONS)] + [
    (label, GenerationMode.NEGATIVE)
    for label, operation in sorted(OPERATIONS.items())
    if len(operation.body) or len(operation.query)
]


@pytest.fixture
def connection_kept():
    """What Django's test client does: keep the request cycle from closing the test's
    database connection (inside the test's transaction, a request would close it)."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.mark.django_db
@pytest.mark.parametrize(("label", "mode"), RUNS)
def test_the_api_keeps_to_its_schema(label, mode, creator, widget, api_key, connection_kept):
    # Something to find: a widget (fixture) and a tip of the key's creator.
    tip_create(creator=creator, amount_sats=5000, name="Bob")
    headers = {"Authorization": f"Bearer {api_key}"}

    @given(case=OPERATIONS[label].as_strategy(generation_mode=mode, headers=headers))
    @settings(
        max_examples=15,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    def check(case):
        case.call_and_validate(headers=headers, checks=CHECKS)

    check()
