"""Websocket consumers: read-only live views of one fixture, and of the scoreboard.

Consumers never write. A viewer's positions arrive exactly once and in order: the consumer
joins the group before reading the backlog, drops live events it already covered, and
fills any gap from Postgres (docs/live-protocol.md).
"""

from __future__ import annotations

import asyncio
import re
import uuid
from typing import Any
from urllib.parse import parse_qs

import structlog
from channels.consumer import get_handler_name
from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncWebsocketConsumer
from django.urls import path, re_path

from streams.models import POSITION_MAX
from streams.ops import metrics
from streams.viewers import fanout, snapshots
from streams.viewers.broadcast import (
    SCOREBOARD_GROUP,
    ChangesEvent,
    FeedEvent,
    RefreshEvent,
    ResetEvent,
    ScoreEvent,
    fixture_group,
)

log = structlog.get_logger(__name__)

CLOSE_INTERNAL_ERROR = 1011
CLOSE_BAD_REQUEST = 4400
CLOSE_NOT_FOUND = 4404

_fixture_snapshot = database_sync_to_async(snapshots.fixture_snapshot)
_scoreboard_snapshot = database_sync_to_async(snapshots.scoreboard_snapshot)


_POSITION = re.compile(r"-1|[0-9]+")


def parse_after(query_string: bytes) -> int | None:
    """The ``after`` position from a query string: -1 when absent, None when invalid.

    Only ``-1`` or ASCII decimal digits: ``int()`` would also take spaces, a sign, ``_``
    and other scripts' digits, and an empty value is a mistake, not "from the start"."""
    values = parse_qs(query_string.decode("latin-1"), keep_blank_values=True).get("after", [])
    if not values:
        return -1
    if len(values) > 1 or not _POSITION.fullmatch(values[0]):
        return None
    after = int(values[0])
    # Beyond the column's range Postgres would refuse the query: that is a bad request too.
    return after if after <= POSITION_MAX else None


class ReadOnlyConsumer(AsyncWebsocketConsumer):
    """A consumer whose handlers reach the database only through ``database_sync_to_async``."""

    async def dispatch(self, message: dict[str, Any]) -> None:
        # Channels' own dispatch first closes stale database connections in a worker
        # thread, for every message to every consumer: with 1,000 viewers that thread hop
        # was a third of daphne's time per change (docs/benchmarks.md). Our handlers touch
        # the database only through database_sync_to_async, which closes them in the thread
        # it runs on.
        handler = getattr(self, get_handler_name(message), None)
        if handler is None:
            raise ValueError(f"No handler for message type {message['type']}")
        await handler(message)


class ViewerCounted(ReadOnlyConsumer):
    """Counts its open sockets in ``dde_connected_viewers``."""

    counted = False

    async def accept(self, subprotocol: str | None = None, headers: Any = None) -> None:
        await super().accept(subprotocol, headers)
        metrics.viewer_joined()
        self.counted = True

    async def websocket_disconnect(self, message: dict[str, Any]) -> None:
        if self.counted:
            metrics.viewer_left()
            self.counted = False
        await super().websocket_disconnect(message)


class FixtureConsumer(ViewerCounted):
    """``/ws/fixtures/<uuid>/?after=N``: changes after position N, then live ones.

    Live changes come from this process's reader of the fixture's group
    (``streams.viewers.fanout``), not from a channel of its own. While the consumer reads
    Postgres (its backlog, or a gap) the events that arrive are held, then sent in order
    once it is done.
    """

    # No channel per viewer: the process subscribes once per group for all its viewers.
    channel_layer_alias = "no channel per viewer"
    group: str | None = None
    last_sent = -1
    # Events held while reading Postgres; None when up to date (events are sent at once).
    _held: list[ChangesEvent | ResetEvent] | None = None
    _recovery: asyncio.Task[None] | None = None
    # A whole snapshot is due: what the rows mean changed (``RefreshEvent``).
    _refresh_wanted = False

    async def connect(self) -> None:
        await self.accept()
        try:
            self.fixture_id = uuid.UUID(self.scope["url_route"]["kwargs"]["fixture_id"])
        except ValueError:
            await self.close(code=CLOSE_BAD_REQUEST)
            return
        after = parse_after(self.scope.get("query_string", b""))
        if after is None:
            await self.close(code=CLOSE_BAD_REQUEST)
            return
        # Join first, then read: a packet stored meanwhile is in the backlog, in the held
        # events, or both; the position check sends it once.
        self._held = []
        self.group = fixture_group(self.fixture_id)
        await fanout.join(self.group, self)
        if await self._catch_up(after):
            await self._release()

    async def disconnect(self, code: int) -> None:
        if self._recovery is not None:
            self._recovery.cancel()
        if self.group is not None:
            await fanout.leave(self.group, self)

    async def receive(self, text_data: str | None = None, bytes_data: bytes | None = None) -> None:
        """Viewers cannot change anything: whatever they send is ignored."""

    async def deliver(self, event: ChangesEvent | RefreshEvent | FeedEvent | ResetEvent) -> None:
        """One event from the group's reader, in publish order. Waits on nothing but the
        socket write: a gap, or a refresh, is read from Postgres in a task of this viewer's
        own."""
        if event["type"] == "fixture.feed":
            # The feed's state takes no position: sent as it comes, wherever the viewer is.
            await self.send(text_data=event["text"])
            return
        if event["type"] == "fixture.reset":
            if self._held is not None:  # after what is held, in order (``_release``)
                self._held.append(event)
                return
            await self._reset(event)
            self._held = []
            self._recovery = asyncio.ensure_future(self._recover())
            return
        if event["type"] == "fixture.refresh":
            self._refresh_wanted = True
            if self._held is None:  # else the catch-up under way does it when it is done
                self._held = []
                self._recovery = asyncio.ensure_future(self._recover())
            return
        if self._held is not None:
            self._held.append(event)
        elif not await self._send_in_order(event):
            self._held = [event]
            self._recovery = asyncio.ensure_future(self._recover())

    async def _reset(self, event: ResetEvent) -> None:
        """The log was wiped to be replayed: say so, then start again from position -1 with
        a whole snapshot (the positions that follow are the new log's)."""
        await self.send(text_data=event["text"])
        self.last_sent = -1
        self._refresh_wanted = True

    async def _send_in_order(self, event: ChangesEvent) -> bool:
        """Send the event's changes that follow the last one sent; False at a gap."""
        for change in event["changes"]:
            position = change["position"]
            if position > self.last_sent + 1:
                return False
            if position == self.last_sent + 1:
                await self.send(text_data=change["text"])
                self.last_sent = position
        return True

    async def _recover(self) -> None:
        try:
            # A refresh reads everything anyway (in _release): no catch-up before it.
            if self._refresh_wanted or await self._catch_up(self.last_sent):
                await self._release()
        except Exception as exc:
            # Postgres unreachable, say: close, and the browser resumes from its position
            # when it reconnects, as it would have if this had failed in the consumer.
            log.warning("viewer.catch_up_failed", fixture=str(self.fixture_id), error=repr(exc))
            self._held = None
            await self.close(code=CLOSE_INTERNAL_ERROR)

    async def _release(self) -> None:
        """Send the held events in order, reading Postgres again at a gap or for a refresh;
        then send live."""
        while True:
            if self._refresh_wanted:
                self._refresh_wanted = False
                if not await self._catch_up(-1):
                    return
                continue
            if not self._held:
                break
            first = self._held[0]
            if first["type"] == "fixture.reset":
                self._held.pop(0)
                await self._reset(first)
                continue
            if await self._send_in_order(first):
                self._held.pop(0)
                continue
            sent = self.last_sent
            if not await self._catch_up(sent):
                return
            if self.last_sent == sent:  # Postgres has nothing newer: drop it, don't spin
                self._held.pop(0)
        self._held = None

    async def _catch_up(self, after: int) -> bool:
        """Send what Postgres holds after ``after``; False, and the socket closed, when the
        fixture does not exist (any more)."""
        snapshot = await _fixture_snapshot(self.fixture_id, after)
        if snapshot is None:
            self._held = None
            await self.close(code=CLOSE_NOT_FOUND)
            return False
        for message in snapshot.messages:
            await self.send(text_data=message)
        self.last_sent = max(self.last_sent, snapshot.position)
        return True


class ScoreboardConsumer(ViewerCounted):
    """``/ws/fixtures/``: the scoreboard, then every fixture change."""

    async def connect(self) -> None:
        await self.accept()
        await self.channel_layer.group_add(SCOREBOARD_GROUP, self.channel_name)
        await self.send(text_data=await _scoreboard_snapshot())

    async def disconnect(self, code: int) -> None:
        await self.channel_layer.group_discard(SCOREBOARD_GROUP, self.channel_name)

    async def receive(self, text_data: str | None = None, bytes_data: bytes | None = None) -> None:
        """Viewers cannot change anything: whatever they send is ignored."""

    async def fixture_score(self, event: ScoreEvent) -> None:
        await self.send(text_data=event["text"])

    async def fixture_feed(self, event: FeedEvent) -> None:
        await self.send(text_data=event["text"])


class UnknownPathConsumer(ReadOnlyConsumer):
    """Any other websocket path: accepted only to be closed with a clear code."""

    async def connect(self) -> None:
        await self.accept()
        await self.close(code=CLOSE_NOT_FOUND)


def websocket_routes() -> list[Any]:
    return [
        path("ws/fixtures/", ScoreboardConsumer.as_asgi()),
        re_path(r"^ws/fixtures/(?P<fixture_id>[^/]+)/$", FixtureConsumer.as_asgi()),
        re_path(r"", UnknownPathConsumer.as_asgi()),
    ]
