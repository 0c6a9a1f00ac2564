"""The wire contract to browsers: group names, event payloads, the one place that sends.

Events carry the JSON text a browser receives, serialised once here: a group send to a
thousand viewers then costs one serialisation, not a thousand (docs/live-protocol.md).
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any, Literal, TypedDict

import orjson
import structlog
from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.utils import timezone

from streams.jsontext import dumps
from streams.ops import metrics
from streams.stored import StoredPacket

SCOREBOARD_GROUP = "fixtures"

log = structlog.get_logger(__name__)


def fixture_group(fixture_id: uuid.UUID | str) -> str:
    return f"fixture.{fixture_id}"


class Change(TypedDict):
    """One stored packet: its position and the message a browser receives for it."""

    position: int
    text: str


class ChangesEvent(TypedDict):
    """Channel-layer event for the packets of one committed transaction, in order;
    handled by ``FixtureConsumer.fixture_changes``. One publish per transaction, not per
    packet: a replay commits hundreds at once, a live match one."""

    type: Literal["fixture.changes"]
    changes: list[Change]


class RefreshEvent(TypedDict):
    """Channel-layer event: what the fixture's rows mean has changed (staff gave a type
    another kind), so its viewers get a whole snapshot again (``FixtureConsumer.deliver``)."""

    type: Literal["fixture.refresh"]


class ScoreEvent(TypedDict):
    """Channel-layer event for the scoreboard; handled by ``ScoreboardConsumer.fixture_score``."""

    type: Literal["fixture.score"]
    text: str


class FeedEvent(TypedDict):
    """Channel-layer event: the fixture's feed changed state, or its listener heard a frame
    (docs/live-protocol.md, ``feed``). Sent to the fixture's group and the scoreboard; takes
    no position."""

    type: Literal["fixture.feed"]
    text: str


class ResetEvent(TypedDict):
    """Channel-layer event: the fixture's log was wiped to be replayed from the start
    (``reset``); its viewers start again from position -1."""

    type: Literal["fixture.reset"]
    text: str


def feed_message(fixture_id: uuid.UUID | str, feed: dict[str, Any]) -> str:
    return dumps({"type": "feed", "fixture_id": str(fixture_id), "feed": feed})


def reset_message(fixture_id: uuid.UUID | str) -> str:
    return dumps({"type": "reset", "fixture_id": str(fixture_id)})


def _send_from_sync(group: str, event: Any) -> None:
    layer = get_channel_layer()
    if layer is not None:
        async_to_sync(layer.group_send)(group, event)


def publish_feed_state(fixture_id: uuid.UUID, feed: dict[str, Any]) -> None:
    """Tell the fixture's viewers and the scoreboard its feed's state (``Fixture.feed_payload``)
    from sync code, after the write (``streams.feed.lifecycle``). A failure is logged: the
    next snapshot, and the page's own timer, still tell the state."""
    event: FeedEvent = {"type": "fixture.feed", "text": feed_message(fixture_id, feed)}
    try:
        _send_from_sync(fixture_group(fixture_id), event)
        _send_from_sync(SCOREBOARD_GROUP, event)
    except Exception as exc:
        log.warning("broadcast.feed_failed", fixture=str(fixture_id), error=str(exc))


def publish_reset(fixture_id: uuid.UUID, fixture: dict[str, Any]) -> None:
    """Tell open pages the fixture's log was wiped (``reset``), and the scoreboard its
    summary as it is now (``fixture``, its payload); from sync code, after the commit."""
    reset: ResetEvent = {"type": "fixture.reset", "text": reset_message(fixture_id)}
    score: ScoreEvent = {"type": "fixture.score", "text": score_message(fixture)}
    try:
        _send_from_sync(fixture_group(fixture_id), reset)
        _send_from_sync(SCOREBOARD_GROUP, score)
    except Exception as exc:
        log.warning("broadcast.reset_failed", fixture=str(fixture_id), error=str(exc))


def refresh_fixtures(fixture_ids: Sequence[uuid.UUID]) -> None:
    """Tell the open match centres of these fixtures to redraw (from sync code, after a
    commit). A failure is logged: pages rendered later read the catalogue anyway."""
    layer = get_channel_layer()
    if layer is None:
        return
    event: RefreshEvent = {"type": "fixture.refresh"}
    for fixture_id in fixture_ids:
        try:
            async_to_sync(layer.group_send)(fixture_group(fixture_id), event)
        except Exception as exc:
            log.warning("broadcast.refresh_failed", fixture=str(fixture_id), error=str(exc))


def change_message(
    position: int,
    fixture: dict[str, Any],
    action: dict[str, Any],
    related: Sequence[dict[str, Any]] = (),
) -> str:
    """``related``: other actions whose rows the change redraws (a goal a Goal Disallowed
    strikes through, say), each with its new row."""
    return dumps(
        {
            "type": "change",
            "position": position,
            "fixture": fixture,
            "action": action,
            "related": list(related),
        }
    )


# A snapshot message's actions stay under this many bytes of JSON: many servers, proxies and
# clients refuse a websocket message over 1 MiB (daphne did, and closed the socket).
SNAPSHOT_PART_BYTES = 256 * 1024


def snapshot_messages(
    position: int,
    fixture: dict[str, Any],
    actions: list[dict[str, Any]],
    *,
    part_bytes: int = SNAPSHOT_PART_BYTES,
) -> list[str]:
    """A snapshot as one message, or as parts ``1..parts`` of at most ``part_bytes`` of
    actions each (an action bigger than that goes alone); only the last part completes it
    (docs/live-protocol.md)."""
    chunks: list[list[orjson.Fragment]] = [[]]
    size = 0
    for action in actions:
        text = dumps(action)
        if chunks[-1] and size + len(text) > part_bytes:
            chunks.append([])
            size = 0
        chunks[-1].append(orjson.Fragment(text))
        size += len(text) + 1
    if len(chunks) == 1:
        return [_snapshot(position, fixture, chunks[0])]
    return [
        _snapshot(position, fixture, chunk, part=number, parts=len(chunks))
        for number, chunk in enumerate(chunks, start=1)
    ]


def _snapshot(position: int, fixture: dict[str, Any], actions: list[Any], **part: int) -> str:
    message = {"type": "snapshot", "position": position, "fixture": fixture, "actions": actions}
    return dumps({**message, **part})


def scoreboard_message(fixtures: list[dict[str, Any]]) -> str:
    return dumps({"type": "scoreboard", "fixtures": fixtures})


def score_message(fixture: dict[str, Any]) -> str:
    return dumps({"type": "score", "fixture": fixture})


# What the list page shows of a fixture besides the clock, which runs in the browser.
_SCOREBOARD_FIELDS = (
    "home_score", "away_score", "status", "collection_status", "current_period",
    "clock_state", "finished", "home_colour", "away_colour",
)  # fmt: skip


class FixturePublisher:
    """Tells viewers about one fixture's committed packets; one per listener."""

    def __init__(self, fixture_id: uuid.UUID) -> None:
        self.fixture_id = fixture_id
        self.group = fixture_group(fixture_id)
        self._scoreboard_seen: tuple[Any, ...] | None = None

    async def publish_feed(self, feed: dict[str, Any]) -> None:
        """Tell viewers the feed's state (a ``feed`` message): a listener state just
        written, or, while connected, that the feed is alive with its last frame time, so
        that a quiet spell with heartbeats only does not look stale to a page."""
        layer = get_channel_layer()
        if layer is None:
            return
        event: FeedEvent = {"type": "fixture.feed", "text": feed_message(self.fixture_id, feed)}
        try:
            await layer.group_send(self.group, event)
            await layer.group_send(SCOREBOARD_GROUP, event)
        except Exception as exc:
            log.warning("broadcast.feed_failed", fixture=str(self.fixture_id), error=str(exc))

    async def publish(self, stored: Sequence[StoredPacket]) -> None:
        """Publish a committed transaction's packets. Call only after the commit.

        A failure is logged, not raised: storing must go on, and viewers catch up from
        Postgres by position when the next event (or their reconnect) shows them a gap.
        """
        layer = get_channel_layer()
        if not stored or layer is None:
            return
        changes: ChangesEvent = {
            "type": "fixture.changes",
            "changes": [
                {
                    "position": s.position,
                    "text": change_message(s.position, s.fixture, s.action, s.related),
                }
                for s in stored
            ],
        }
        fixture = stored[-1].fixture
        scoreboard = tuple(fixture[name] for name in _SCOREBOARD_FIELDS)
        try:
            await layer.group_send(self.group, changes)
            if scoreboard != self._scoreboard_seen:
                score: ScoreEvent = {"type": "fixture.score", "text": score_message(fixture)}
                await layer.group_send(SCOREBOARD_GROUP, score)
                self._scoreboard_seen = scoreboard
        except Exception as exc:
            log.warning(
                "broadcast.failed",
                fixture=str(self.fixture_id),
                position=stored[-1].position,
                error=str(exc),
            )
            return
        published = timezone.now()
        lags = [(published - s.received_at).total_seconds() for s in stored]
        metrics.BROADCAST_LATENCY.observe(*lags)
        metrics.fixture_broadcast_lag(str(self.fixture_id), max(lags))
