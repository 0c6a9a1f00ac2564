"""Snapshots too big for one websocket message arrive in parts, and ``?after=`` is strict."""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import uuid
from itertools import pairwise
from typing import Any

import pytest
import websockets

from streams.dde.messages import DataPacket, parse_frame
from streams.feed.writer import store_packets
from streams.models import Fixture
from streams.viewers.broadcast import snapshot_messages
from streams.viewers.consumers import parse_after

# parse_after


@pytest.mark.parametrize(
    ("query", "after"),
    [(b"", -1), (b"after=-1", -1), (b"after=0", 0), (b"after=841", 841), (b"x=1", -1)],
)
def test_after_is_minus_one_or_a_decimal_position(query: bytes, after: int) -> None:
    assert parse_after(query) == after


@pytest.mark.parametrize(
    "query",
    [
        b"after=",
        b"after=%20",
        b"after=%2012",
        b"after=+5",
        b"after=-2",
        b"after=1_000",
        b"after=1.5",
        "after=١٢".encode(),  # Arabic-Indic digits, which int() reads as 12
        b"after=%D9%A1%D9%A2",
        b"after=1&after=2",
        b"after=99999999999999999999",
    ],
)
def test_anything_else_in_after_is_refused(query: bytes) -> None:
    assert parse_after(query) is None


# snapshot_messages


def actions(count: int, size: int) -> list[dict[str, Any]]:
    return [{"action_id": str(i), "padding": "x" * size} for i in range(count)]


def test_a_small_snapshot_is_one_message_without_parts() -> None:
    (message,) = snapshot_messages(7, {"id": "f"}, actions(3, 10))

    assert json.loads(message) == {
        "type": "snapshot",
        "position": 7,
        "fixture": {"id": "f"},
        "actions": actions(3, 10),
    }


def test_a_big_snapshot_comes_in_numbered_parts_each_under_the_budget() -> None:
    sent = actions(100, 1_000)

    messages = snapshot_messages(7, {"id": "f"}, sent, part_bytes=10_000)

    parts = [json.loads(m) for m in messages]
    count = len(parts)
    assert count > 1
    assert [(p["part"], p["parts"]) for p in parts] == [(n, count) for n in range(1, count + 1)]
    assert all(p["position"] == 7 and p["fixture"] == {"id": "f"} for p in parts)
    assert [a for p in parts for a in p["actions"]] == sent
    sizes = [len(compact(p["actions"])) for p in parts]
    assert max(sizes) <= 10_000
    # Full parts: none could have taken the next part's first action as well.
    for part, following in pairwise(parts):
        assert len(compact([*part["actions"], following["actions"][0]])) > 10_000


def compact(value: Any) -> str:
    return json.dumps(value, separators=(",", ":"))


def test_an_action_bigger_than_the_budget_goes_in_a_part_of_its_own() -> None:
    sent = [*actions(2, 10), {"action_id": "big", "padding": "y" * 5_000}, *actions(2, 10)]

    parts = [json.loads(m) for m in snapshot_messages(1, {}, sent, part_bytes=1_000)]

    assert [[a["action_id"] for a in p["actions"]] for p in parts] == [
        ["0", "1"],
        ["big"],
        ["0", "1"],
    ]


# Through the web process, as deployed


def long_match(fixture: Fixture, count: int) -> list[DataPacket]:
    """``count`` confirmed actions with the metadata and names a real feed sends."""
    packets = []
    for seq in range(1, count + 1):
        payload = {
            "version": 3,
            "finished": False,
            "fixtureAction": {
                "actionId": str(uuid.uuid4()),
                "fixtureId": str(fixture.id),
                "period": 1 + seq * 2 // count,
                "clockTime": f"{seq * 90 // count:02d}:00",
                "timestamp": "2026-11-24T15:30:00.000000Z",
                "fixtureSeqNum": seq,
                "timelineSequence": seq,
                "sendType": "Confirmed",
                "sendTypeId": 5,
                "fixtureActionTypeId": 110,
                "fixtureActionType": "Dangerous Attack",
                "teamId": 1,
                "team": "Fairhaven Albion",
                "playerId": 10 + seq % 11,
                "player": "Alexander Featherstonehaugh-Whitcombe",
                "metadata": [{"key": "Zone", "value": "Attacking third, left channel"}],
            },
        }
        parsed = parse_frame(json.dumps(payload))
        assert isinstance(parsed, DataPacket)
        packets.append(parsed)
    return packets


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_a_3000_action_match_reaches_a_viewer_through_the_web_process(web_process: str) -> None:
    kickoff = dt.datetime(2026, 11, 24, 15, tzinfo=dt.UTC)
    fixture = Fixture.objects.create(
        home_team="Fairhaven Albion",
        away_team="Tester Town",
        kickoff=kickoff,
        listen_from=kickoff,
        listen_until=kickoff + dt.timedelta(hours=3),
    )
    store_packets(fixture.id, long_match(fixture, 3_000))

    async def watch() -> list[dict[str, Any]]:
        url = web_process.replace("http://", "ws://") + f"/ws/fixtures/{fixture.id}/"
        received = []
        async with websockets.connect(url, origin=web_process, max_size=None) as socket:
            while True:
                message = json.loads(await asyncio.wait_for(socket.recv(), timeout=30))
                received.append(message)
                if message.get("part", 1) == message.get("parts", 1):
                    return received

    parts = asyncio.run(watch())

    assert len(parts) > 1, "the whole match fitted in one message: the test proves nothing"
    assert all(p["type"] == "snapshot" and p["position"] == 2_999 for p in parts)
    assert len({a["action_id"] for p in parts for a in p["actions"]}) == 3_000
