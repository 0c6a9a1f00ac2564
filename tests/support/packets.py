"""Vendor-shaped data packets built in code, for tests that store or show a few."""

from __future__ import annotations

import json
import uuid
from typing import Any

from streams.dde.messages import DataPacket, parse_frame

SEND_TYPE_IDS = {"Pending": 1, "Updated": 2, "Cancelled": 3, "Deleted": 4, "Confirmed": 5}


class Feed:
    """Builds vendor-shaped packets for one fixture with rising fixtureSeqNum."""

    def __init__(self, fixture_id: uuid.UUID) -> None:
        self.fixture_id = fixture_id
        self.seq = 0
        self.home = 0
        self.away = 0

    def packet(
        self,
        action_id: str,
        send_type: str,
        type_id: int,
        type_name: str,
        *,
        seq: int | None = None,
        finished: bool = False,
        **action: Any,
    ) -> DataPacket:
        if seq is None:
            self.seq += 1
            seq = self.seq
        payload = {
            "version": 3,
            "finished": finished,
            "fixtureAction": {
                "actionId": action_id,
                "fixtureId": str(self.fixture_id),
                "period": 1,
                "clockTime": "12:34",
                "timestamp": "2026-11-24T15:00:00.000000Z",
                "sendType": send_type,
                "sendTypeId": SEND_TYPE_IDS[send_type],
                "fixtureSeqNum": seq,
                "timelineSequence": 1 + seq / 1e6,
                "fixtureActionType": type_name,
                "fixtureActionTypeId": type_id,
                **action,
            },
            "fixtureSummary": {
                "homeTeamScore": self.home,
                "awayTeamScore": self.away,
                "currentStatus": "Live",
                "currentPeriod": 1,
                "currentClockTime": "12:34",
                "isHomeTeamInPossesion": True,
                "finished": finished,
            },
        }
        parsed = parse_frame(json.dumps(payload))
        assert isinstance(parsed, DataPacket)
        return parsed
