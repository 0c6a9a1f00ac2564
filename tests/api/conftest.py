"""API test helpers: a token and a client that sends it, stored matches, reading downloads."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import uuid
from collections.abc import Callable
from typing import Any

import pytest
from asgiref.sync import async_to_sync
from django.http import HttpResponseBase
from django.test import Client

from streams.models import ApiToken, Fixture
from streams.simulator import Match, generate_match
from tests.conftest import store_match

KICKOFF = dt.datetime(2025, 3, 1, 15, 0, tzinfo=dt.UTC)
NAMESPACE = uuid.UUID("0f0c2a7e-91d4-4d7e-b4c5-4a3e54d1c6a1")
# CSV cells that are not text: how to read them back into the JSON row's values.
CSV_INTEGERS = {
    "type_id",
    "subtype_id",
    "send_type_id",
    "period",
    "fixture_seq_num",
    "first_position",
    "last_position",
    "position",
}
CSV_BOOLEANS = {"team_is_home", "removed", "restored", "delayed"}
CSV_JSON = {"metadata", "related_action_ids", "payload"}


@pytest.fixture(autouse=True)
def _generous_throttle(settings: Any) -> None:
    """Tests make many requests with one token; the throttle tests set their own rate."""
    settings.API_THROTTLE_RATE = "100000/min"


@pytest.fixture
def api_key(db: None) -> str:
    _, key = ApiToken.issue("tests")
    return key


@pytest.fixture
def api(api_key: str) -> Client:
    """A client sending a valid API token."""
    return Client(headers={"Authorization": f"Token {api_key}"})


def match_number(number: int, kickoff: dt.datetime = KICKOFF) -> Match:
    return generate_match(uuid.uuid5(NAMESPACE, str(number)), kickoff)


@pytest.fixture
def stored_match(db: None) -> Fixture:
    return store_match(match_number(1))


def body(response: HttpResponseBase) -> bytes:
    """The whole body, read the way the ASGI server reads it (an async iterator, for a stream)."""
    if not response.streaming:
        return response.content  # type: ignore[attr-defined,no-any-return]

    async def read() -> bytes:
        return b"".join([chunk async for chunk in response.streaming_content])  # type: ignore[attr-defined]

    return async_to_sync(read)()


def ndjson_rows(response: HttpResponseBase) -> list[Any]:
    text = body(response).decode()
    assert text == "" or text.endswith("\n")
    return [json.loads(line) for line in text.splitlines()]


def csv_rows(response: HttpResponseBase) -> list[dict[str, Any]]:
    """CSV rows with each cell read back to the value the JSON row holds."""
    reader = csv.DictReader(io.StringIO(body(response).decode()))
    return [{name: _cell(name, value) for name, value in row.items()} for row in reader]


def _cell(name: str, value: str) -> Any:
    if name in CSV_JSON:
        return json.loads(value)
    if value == "" and name not in ("timestamp", "received_at", "timeline_sequence"):
        return None if name in CSV_INTEGERS | CSV_BOOLEANS else ""
    if value == "":
        return None
    if name in CSV_INTEGERS:
        return int(value)
    if name in CSV_BOOLEANS:
        return {"true": True, "false": False}[value]
    if name == "timeline_sequence":
        return float(value)
    return value


def all_pages(client: Client, url: str) -> list[dict[str, Any]]:
    """Every row of a paged listing, following next links to the end."""
    rows: list[dict[str, Any]] = []
    next_url: str | None = url
    while next_url:
        response = client.get(next_url)
        assert response.status_code == 200, response.content
        page = response.json()
        rows += page["results"]
        next_url = page["next"]
    return rows


MakeFixture = Callable[..., Fixture]
