"""A whole hostile match through the real listener (``manage.py listen`` against the hostile
simulator): every name kept clean and clipped, the packets stored as received, the frames
Postgres cannot hold recorded as rejected, a match page that stays small and quick, and an
intact CSV export with no cell that starts like a formula."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re
import time
import uuid
from io import StringIO
from typing import Any

import pytest
from asgiref.sync import async_to_sync
from django.core.management import call_command
from django.http import HttpResponseBase
from django.test import Client
from django.utils import timezone

from streams.dde.bounds import (
    CLOCK_CHARS,
    FIXTURE_NAME_CHARS,
    LABEL_CHARS,
    NAME_CHARS,
    is_clean,
)
from streams.models import (
    Action,
    ActionType,
    ActionTypeSighting,
    Fixture,
    ListenerState,
    Packet,
    RejectedFrame,
)
from streams.simulator import MatchVariant, Schedule
from streams.simulator.hostile import LONG_CHARS
from tests.conftest import StartFeed
from tests.support.bounds import assert_within_metadata_bounds

pytestmark = pytest.mark.django_db(transaction=True)
PAGE_BYTES = 2_000_000
PAGE_SECONDS = 1.0
# The longest of 40 generated matches (969 packets, a shootout): the heaviest page an
# ordinary match gives, with hostile names. A fixed id keeps the page the same every run.
FIXTURE_ID = uuid.uuid5(uuid.UUID("5b0f8c1e-2d3a-4e5f-9a6b-7c8d9e0f1a2b"), "hostile-match-37")


@pytest.fixture
def hostile_match(start_feed: StartFeed) -> dict[str, Any]:
    """A hostile fixture that kicked off three hours ago, imported and followed to its end
    by ``manage.py listen``, as an operator would."""
    schedule = Schedule(MatchVariant(hostile=True))
    fixture_id = FIXTURE_ID
    schedule.add(fixture_id, kickoff=timezone.now() - dt.timedelta(hours=3))
    feed = start_feed(schedule=schedule)
    out = StringIO()
    call_command("listen", str(fixture_id), speed="fast", stdout=out)
    match = feed.simulator.schedule.match(fixture_id, feed.simulator.pace)
    return {"id": fixture_id, "match": match, "output": out.getvalue()}


def test_a_hostile_match_is_stored_whole_with_every_name_clean_and_clipped(
    hostile_match: dict[str, Any],
) -> None:
    fixture = Fixture.objects.get(pk=hostile_match["id"])
    match = hostile_match["match"]
    assert fixture.listener_state == ListenerState.FINISHED and fixture.finished
    output = hostile_match["output"]
    assert "finished" in output and "\x00" not in output and "\u202e" not in output

    # Every frame is stored, those with a NUL too: exactly as received in ``raw``, and in
    # the jsonb ``payload`` with the NULs taken out (jsonb cannot hold them).
    with_nul = [frame for frame in match.frames if "\\u0000" in frame]
    assert with_nul and fixture.packet_count == len(match.frames)
    assert not RejectedFrame.objects.filter(fixture=fixture).exists()
    stored = list(Packet.objects.filter(fixture=fixture).order_by("position"))
    assert [p.raw for p in stored] == match.frames
    kept = [json.loads(frame.replace("\\u0000", "")) for frame in match.frames]
    assert [p.payload for p in stored] == kept
    assert any(len(p.payload["fixtureAction"].get("team", {}).get("name", "")) == LONG_CHARS
               for p in stored)  # fmt: skip

    actions = list(Action.objects.filter(fixture=fixture))
    assert len(actions) == len({p["fixtureAction"]["actionId"] for p in kept})
    for action in actions:
        for name in (action.type_name, action.subtype_name, action.team_name, action.player_name):
            assert is_clean(name, NAME_CHARS), name[:80]
        assert is_clean(action.clock_time, CLOCK_CHARS) and is_clean(action.send_type, LABEL_CHARS)
        assert_within_metadata_bounds(action.metadata)
    names = [a.team_name for a in actions] + [a.player_name for a in actions]
    assert any(len(name) == NAME_CHARS and name.endswith("…") for name in names)
    assert any(name.startswith("<script>") for name in names)  # kept, for the page to escape
    assert any(name.startswith("=HYPERLINK(") for name in names)
    for row in ActionType.objects.all():
        assert is_clean(row.name, NAME_CHARS)
    for sighting in ActionTypeSighting.objects.filter(fixture=fixture):
        assert is_clean(sighting.type_name, NAME_CHARS)
        assert is_clean(sighting.subtype_name, NAME_CHARS)

    assert is_clean(fixture.name, FIXTURE_NAME_CHARS) and "<script>" in fixture.name
    assert is_clean(fixture.home_team, NAME_CHARS) and is_clean(fixture.away_team, NAME_CHARS)
    for text in (fixture.status, fixture.collection_status, fixture.clock_state,
                 fixture.home_colour, fixture.away_colour, fixture.coverage_level):  # fmt: skip
        assert is_clean(text, LABEL_CHARS)
    last = kept[-1]["fixtureSummary"]
    assert (fixture.home_score, fixture.away_score) == (
        last["homeTeamScore"],
        last["awayTeamScore"],
    )


def test_the_match_page_of_a_hostile_match_is_small_and_quick(
    hostile_match: dict[str, Any],
) -> None:
    client = Client()
    url = f"/fixtures/{hostile_match['id']}/"
    assert client.get(url).status_code == 200  # warm-up: templates, catalogue, connection
    started = time.perf_counter()
    response = client.get(url)
    took = time.perf_counter() - started
    assert response.status_code == 200
    size = len(response.content)
    assert size < PAGE_BYTES, f"match page of {size} bytes"
    assert took < PAGE_SECONDS, f"match page served in {took:.2f} s"
    assert len(hostile_match["match"].packets) == 969
    page = response.content.decode()
    assert "W" * 1000 not in page  # no 200,000-character name, nor a tenth of one
    assert "<script>alert" not in page and "<img src=x" not in page
    assert "\u202e" not in page and "\x00" not in page


FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
NUMBER = re.compile(r"-?[0-9]+(\.[0-9]+)?([eE][+-]?[0-9]+)?")


def streamed(response: HttpResponseBase) -> str:
    async def read() -> bytes:
        return b"".join([chunk async for chunk in response.streaming_content])  # type: ignore[attr-defined]

    return async_to_sync(read)().decode()


def test_the_csv_of_a_hostile_match_is_intact_and_starts_no_cell_like_a_formula(
    hostile_match: dict[str, Any], admin_client: Client
) -> None:
    fixture_id = hostile_match["id"]
    url = f"/api/fixtures/{fixture_id}/actions/?format=csv&include_removed=true"
    response = admin_client.get(url)
    assert response.status_code == 200
    rows = list(csv.DictReader(io.StringIO(streamed(response))))
    actions = {str(a.action_id): a for a in Action.objects.filter(fixture_id=fixture_id)}
    assert {row["action_id"] for row in rows} == set(actions)  # every action, one row each
    for row in rows:
        for column, cell in row.items():
            if NUMBER.fullmatch(cell) or column == "metadata":
                continue  # a number is data; metadata is a JSON column
            assert not cell.startswith(FORMULA_START), (column, cell[:80])
        action = actions[row["action_id"]]
        for column in ("type_name", "subtype_name", "team_name", "player_name"):
            stored = getattr(action, column)
            # Intact behind the one quote a formula-like cell gets.
            assert row[column] in (stored, "'" + stored), (column, row[column][:80])
