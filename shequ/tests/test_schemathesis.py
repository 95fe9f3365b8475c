"""schemathesis over the whole OpenAPI schema (issue 25, F9): every operation, as a community worker, bounded.

Loaded from the app itself (WSGI, no server). Each operation gets a few generated requests, valid and invalid;
a server error, an undocumented status code or a response that does not match its schema fails the test.
"""

import os
from collections.abc import Iterator

import pytest
import schemathesis
from django.core import signals
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from accounts import services as account_services
from shequ.wsgi import application

schema = schemathesis.openapi.from_wsgi("/api/openapi.json", application)
# A few examples per operation keep the run near a minute on two cores; SHEQU_SCHEMATHESIS_EXAMPLES=500 searches deeper.
EXAMPLES = int(os.environ.get("SHEQU_SCHEMATHESIS_EXAMPLES", "15"))
# Not negative_data_rejection: pydantic's lax parsing takes ?min_age=0.0 as 0 and ?tag= as a list of one, by design.
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]


@pytest.fixture
def token(world) -> Iterator[str]:
    # Requests go straight to the WSGI app: keep the test's database connection open across them, as Django's own
    # test client does (on PostgreSQL close_old_connections would end the test transaction).
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    try:
        yield account_services.issue_token(actor=world.bob, name="schemathesis")[1]
    finally:
        signals.request_started.connect(close_old_connections)
        signals.request_finished.connect(close_old_connections)


@pytest.mark.django_db
@schema.parametrize()
@settings(max_examples=EXAMPLES, deadline=None, derandomize=True, database=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.filter_too_much])
def test_it_answers_every_operation_within_its_schema(case, token) -> None:
    case.call_and_validate(headers={"Authorization": f"Bearer {token}"}, checks=CHECKS)


def _formats(node: object) -> set[str]:
    if isinstance(node, dict):
        found = {node["format"]} if isinstance(node.get("format"), str) else set()
        return found.union(*(_formats(v) for v in node.values()))
    if isinstance(node, list):
        return set().union(*(_formats(v) for v in node))
    return set()


def test_it_documents_the_one_error_shape_on_every_operation(client) -> None:
    document = client.get("/api/openapi.json").json()
    assert set(document["components"]["schemas"]["Error"]["properties"]) == {"detail", "errors"}
    for url, path in document["paths"].items():
        for method, operation in path.items():
            for code in ("400", "401", "404", "422"):
                declared = operation["responses"].get(code, {}).get("content", {}).get("application/json", {})
                assert declared.get("schema", {}).get("$ref", "").endswith(("/Error", "/ErrorOut")), f"{method} {url} {code}"
            if "requestBody" in operation:
                assert "413" in operation["responses"], f"{method} {url}"
    # A bare time of day is not RFC 3339 (no offset): times are declared as HH:MM strings instead.
    assert "time" not in _formats(document)


def test_it_gives_a_space_its_opening_hours_as_hh_mm(world, login) -> None:
    from facilities import services
    from shequ.testing.world import BOB_UNIT

    services.create_space(actor=world.bob, unit=world.unit(BOB_UNIT), name="桥东小学操场", kind="sports", capacity=40,
                          rule="free", host="桥东小学")
    [space] = login(world.bob).get("/api/facilities/spaces").json()
    assert (space["opens_at"], space["closes_at"]) == ("08:00", "20:00")
