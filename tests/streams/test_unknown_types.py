"""Action types and sendTypes nobody has told us about: stored, and shown by their names."""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from streams.dde.messages import DataPacket, parse_frame
from streams.feed.writer import store_packets
from streams.models import Action, ApiToken, Fixture, Packet
from tests.support.pages import timeline_rows

pytestmark = pytest.mark.django_db

DRINKS_BREAK = str(uuid.uuid4())
REVIEWED_GOAL = str(uuid.uuid4())
MYSTERY = str(uuid.uuid4())


def packet(fixture: Fixture, seq: int, action_id: str, **action: Any) -> DataPacket:
    payload = {
        "version": 3,
        "finished": False,
        "fixtureAction": {
            "actionId": action_id,
            "fixtureId": str(fixture.id),
            "period": 1,
            "clockTime": "30:00",
            "timestamp": "2026-11-24T15:30:00.000000Z",
            "fixtureSeqNum": seq,
            "timelineSequence": seq,
            **action,
        },
    }
    parsed = parse_frame(json.dumps(payload))
    assert isinstance(parsed, DataPacket)
    return parsed


@pytest.fixture
def fixture(make_fixture: Callable[..., Fixture]) -> Fixture:
    fixture = make_fixture()
    store_packets(
        fixture.id,
        [
            # A type id we have no icon or meaning for, with its name.
            packet(
                fixture,
                1,
                DRINKS_BREAK,
                sendType="Confirmed",
                sendTypeId=5,
                fixtureActionType="Cooling Break",
                fixtureActionTypeId=987,
            ),
            # A known type with a sendType that is not in the documented list.
            packet(
                fixture,
                2,
                REVIEWED_GOAL,
                sendType="Reviewed",
                sendTypeId=9,
                fixtureActionType="Goal",
                fixtureActionTypeId=100,
            ),
            # Neither name given: only ids, both unknown.
            packet(fixture, 3, MYSTERY, sendTypeId=12, fixtureActionTypeId=4321),
        ],
    )
    return fixture


def test_unknown_types_and_send_types_are_stored_as_sent(fixture: Fixture) -> None:
    assert Packet.objects.filter(fixture=fixture).count() == 3
    stored = {str(a.action_id): a for a in Action.objects.filter(fixture=fixture)}
    assert (stored[DRINKS_BREAK].type_id, stored[DRINKS_BREAK].type_name) == (987, "Cooling Break")
    assert (stored[REVIEWED_GOAL].send_type, stored[REVIEWED_GOAL].send_type_id) == ("Reviewed", 9)
    assert (stored[MYSTERY].type_id, stored[MYSTERY].send_type_id) == (4321, 12)
    assert not any(action.removed for action in stored.values())


def test_the_match_centre_shows_unknown_types_and_send_types_by_name(
    client: Client, fixture: Fixture
) -> None:
    rows = timeline_rows(client.get(f"/fixtures/{fixture.id}/").content.decode())
    assert '<span class="title">Cooling Break</span>' in rows[DRINKS_BREAK]
    assert "#i-other" in rows[DRINKS_BREAK]
    assert '<span class="note">Reviewed</span>' in rows[REVIEWED_GOAL]
    assert '<span class="title">Action 4321</span>' in rows[MYSTERY]
    assert '<span class="note">Send type 12</span>' in rows[MYSTERY]


def test_the_api_lists_unknown_types_and_send_types_by_name(fixture: Fixture) -> None:
    _, key = ApiToken.issue("tests")
    api = Client(headers={"Authorization": f"Token {key}"})
    response = api.get(f"/api/fixtures/{fixture.id}/actions/?format=json")
    assert response.status_code == 200
    rows = {row["action_id"]: row for row in response.json()["results"]}
    assert (rows[DRINKS_BREAK]["type_id"], rows[DRINKS_BREAK]["type_name"]) == (
        987,
        "Cooling Break",
    )
    assert (rows[REVIEWED_GOAL]["send_type"], rows[REVIEWED_GOAL]["send_type_id"]) == (
        "Reviewed",
        9,
    )
    assert (rows[MYSTERY]["type_id"], rows[MYSTERY]["send_type_id"]) == (4321, 12)
