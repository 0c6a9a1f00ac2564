"""The wire contract to browsers: group names, event payloads, the one place that sends.

Events carry the JSON text a browser receives, serialised once here: a group send to a
thousand viewers then costs one serialisation, not a thousand (docs/live-protocol.md).
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Sequence
from typing import Any, Literal, TypedDict

import structlog
from channels.layers import get_channel_layer

from streams.ingest import StoredPacket

SCOREBOARD_GROUP = "fixtures"

log = structlog.get_logger(__name__)


def fixture_group(fixture_id: uuid.UUID | str) -> str:
    return f"fixture.{fixture_id}"


class ChangeEvent(TypedDict):
    """Channel-layer event for one stored packet; handled by ``FixtureConsumer.fixture_change``."""

    type: Literal["fixture.change"]
    position: int
    text: str


class ScoreEvent(TypedDict):
    """Channel-layer event for the scoreboard; handled by ``ScoreboardConsumer.fixture_score``."""

    type: Literal["fixture.score"]
    text: str


def change_message(position: int, fixture: dict[str, Any], action: dict[str, Any]) -> str:
    return _dumps({"type": "change", "position": position, "fixture": fixture, "action": action})


def snapshot_message(position: int, fixture: dict[str, Any], actions: list[dict[str, Any]]) -> str:
    return _dumps(
        {"type": "snapshot", "position": position, "fixture": fixture, "actions": actions}
    )


def scoreboard_message(fixtures: list[dict[str, Any]]) -> str:
    return _dumps({"type": "scoreboard", "fixtures": fixtures})


def score_message(fixture: dict[str, Any]) -> str:
    return _dumps({"type": "score", "fixture": fixture})


async def publish_stored(fixture_id: uuid.UUID, stored: Sequence[StoredPacket]) -> None:
    """Tell viewers about packets that are committed. Call only after the commit.

    A failure is logged, not raised: storing must go on, and viewers catch up from
    Postgres by position when the next event (or their reconnect) shows them a gap.
    """
    if not stored:
        return
    layer = get_channel_layer()
    if layer is None:
        return
    group = fixture_group(fixture_id)
    try:
        for s in stored:
            change: ChangeEvent = {
                "type": "fixture.change",
                "position": s.position,
                "text": change_message(s.position, s.fixture, s.action),
            }
            await layer.group_send(group, change)
        score: ScoreEvent = {"type": "fixture.score", "text": score_message(stored[-1].fixture)}
        await layer.group_send(SCOREBOARD_GROUP, score)
    except Exception as exc:
        log.warning("broadcast.failed", fixture=str(fixture_id), error=str(exc))


def _dumps(message: dict[str, Any]) -> str:
    return json.dumps(message, separators=(",", ":"))
