"""A long match with names and metadata beyond what the product keeps, stored as the listener
stores it: for the match page's bounds (streams/meaning/page.py)."""

from __future__ import annotations

import datetime as dt
import json
import uuid
from typing import Any

from django.utils import timezone

from streams.dde.messages import DataPacket, parse_frame
from streams.models import Fixture

GOALS_AT = (5, 400, 1_500)  # fixtureSeqNum of its goals, the first two long before its end
ADJUST_AT = 700  # an "Adjust Clock", with far more metadata than the clock reads


def new_fixture(name: str) -> Fixture:
    now = timezone.now()
    return Fixture.objects.create(
        name=name,
        home_team="Home",
        away_team="Away",
        kickoff=now,
        listen_from=now - dt.timedelta(minutes=1),
        listen_until=now + dt.timedelta(hours=2),
    )


def action_id(fixture_id: uuid.UUID, seq: int) -> str:
    return str(uuid.uuid5(fixture_id, str(seq)))


def hostile_frame(
    fixture_id: uuid.UUID,
    seq: int,
    count: int,
    send_type: str = "Confirmed",
    fixture_seq_num: int | None = None,
) -> str:
    """Action ``seq`` of ``count`` (its timelineSequence, and its fixtureSeqNum unless a
    later version's is given): names longer than we keep, in markup and formulas, and
    metadata beyond what the page shows (the parse boundary's clipping of far longer ones
    is tests/dde's and tests/feed's)."""
    kind = "Goal" if seq in GOALS_AT else "Adjust Clock" if seq == ADJUST_AT else "Shot"
    metadata: dict[str, Any] = {f"k{i}": "=cmd|' /C calc'!A0" * 20 for i in range(20)}
    if seq == ADJUST_AT:
        metadata["adjustmentSeconds"] = 30
    return json.dumps(
        {
            "version": 3,
            "finished": False,
            "fixtureAction": {
                "actionId": action_id(fixture_id, seq),
                "fixtureId": str(fixture_id),
                "period": 1 if seq <= count // 2 else 2,
                "clockTime": f"{seq * 90 // count:02d}:00",
                "timestamp": "2026-11-24T15:30:00.000000Z",
                "fixtureSeqNum": fixture_seq_num or seq,
                "timelineSequence": seq,
                "sendType": send_type,
                "sendTypeId": {"Confirmed": 5, "Updated": 2}[send_type],
                "fixtureActionTypeId": 9_000 + (seq in GOALS_AT) + 2 * (seq == ADJUST_AT),
                "fixtureActionType": kind,
                "teamId": 1 + seq % 2,
                "team": "<script>alert(1)</script>" + "W" * 1_000,
                "playerId": 10 + seq % 11,
                "player": '=HYPERLINK("x")' + "\u202e" + "P" * 1_000,
                "metadata": metadata,
            },
        }
    )


def hostile_packets(fixture_id: uuid.UUID, count: int) -> list[DataPacket]:
    packets = []
    for seq in range(1, count + 1):
        parsed = parse_frame(hostile_frame(fixture_id, seq, count))
        assert isinstance(parsed, DataPacket)
        packets.append(parsed)
    return packets
