"""The OpenAPI document, the docs page served offline, and schemathesis against both."""

from __future__ import annotations

import re
from typing import Any

import pytest
import schemathesis
from django.conf import settings as django_settings
from django.contrib.staticfiles import finders
from django.core.handlers.wsgi import WSGIHandler
from django.test import Client
from django.utils import timezone
from hypothesis import HealthCheck, settings
from schemathesis.specs.openapi.checks import negative_data_rejection, positive_data_acceptance

from streams.api.export import ACTION_COLUMNS, BULK_COLUMNS
from streams.api.serializers import ActionSerializer, BulkActionSerializer, FixtureSerializer
from streams.models import ApiToken, Fixture
from tests.api.conftest import match_number
from tests.conftest import store_match


def test_the_schema_is_openapi_3_and_lists_every_endpoint(client: Client) -> None:
    response = client.get("/api/schema/", headers={"Accept": "application/json"})
    assert response.status_code == 200
    schema = response.json()
    assert schema["openapi"].startswith("3.")
    assert set(schema["paths"]) == {
        "/api/fixtures/",
        "/api/fixtures/{fixture_id}/",
        "/api/fixtures/{fixture_id}/actions/",
        "/api/fixtures/{fixture_id}/packets/",
        "/api/actions/",
        "/api/corrections/",
    }
    actions = schema["paths"]["/api/fixtures/{fixture_id}/actions/"]["get"]
    assert set(actions["responses"]["200"]["content"]) == {
        "application/json",
        "text/csv; charset=utf-8",
        "application/x-ndjson",
    }


def test_the_docs_page_loads_swagger_ui_from_our_own_static_files(client: Client) -> None:
    """Every asset is a static file of an installed package (the machines are offline)."""
    response = client.get("/api/docs/")
    assert response.status_code == 200
    html = response.content.decode()
    assets = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert any("swagger-ui" in asset for asset in assets)
    assert all(asset.startswith("/") for asset in assets), assets
    for asset in assets:
        if asset.startswith("/" + django_settings.STATIC_URL):
            assert finders.find(asset.removeprefix("/" + django_settings.STATIC_URL)), asset


@pytest.fixture
def example(transactional_db: None, settings: Any) -> tuple[Fixture, str]:
    """A stored match (so some generated requests find rows) and a token."""
    settings.API_THROTTLE_RATE = "100000/min"
    _, key = ApiToken.issue("schemathesis")
    return store_match(match_number(4)), key


# Loaded when the module is collected: building the document reads no database.
schema = schemathesis.openapi.from_wsgi("/api/schema/", WSGIHandler())


@pytest.mark.slow  # hundreds of generated requests, each on a freshly stored match
@schema.parametrize()
# In-process WSGI reads a stream through Django's sync fallback; uvicorn streams it natively.
@pytest.mark.filterwarnings("ignore:StreamingHttpResponse must consume asynchronous iterators")
@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
def test_no_request_gets_a_500_or_an_answer_outside_the_schema(
    case: Any, example: tuple[Fixture, str]
) -> None:
    fixture, key = example
    headers = {"Authorization": f"Token {key}"}
    # A cursor is only valid as a page's next link gives it: any other string is a
    # schema-valid value that is rightly refused with a 400.
    excluded = [positive_data_acceptance] if (case.query or {}).get("cursor") else []
    case.call_and_validate(headers=headers, excluded_checks=excluded)
    if case.path_parameters and "fixture_id" in case.path_parameters:
        # Generated ids are never stored ones: ask again about the stored match. The rest
        # of the request is as generated, which may be what made a negative case negative.
        case.path_parameters["fixture_id"] = str(fixture.id)
        excluded.append(negative_data_rejection)
        case.call_and_validate(headers=headers, excluded_checks=excluded)


def test_the_documented_row_shapes_are_the_rows_served() -> None:
    assert tuple(ActionSerializer().fields) == ACTION_COLUMNS
    assert set(BulkActionSerializer().fields) == set(BULK_COLUMNS)
    assert list(FixtureSerializer().fields) == list(Fixture(kickoff=timezone.now()).to_payload())
