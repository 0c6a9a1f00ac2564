"""One fixture's log in the relay process: read once, shared by all its clients, kept current.

A ``FixtureLog`` holds the fixture's stored packets in memory, as sent (UTF-8 text as
received), indexed by position, while at least one client follows it. It grows only from
Postgres, by position: a change event on the fixture's channel-layer group
(``streams.viewers.broadcast``, read once per process through ``streams.viewers.fanout``)
only says that packets up to some position are committed, and the log then reads every
packet after the last one it holds. A lost event (pub/sub is at most once) costs latency,
not a packet: the log also polls every ``poll_seconds``. So clients get no gap and no
duplicate: each sends the log's packets by index.
"""

from __future__ import annotations

import asyncio
import contextlib
import uuid
from typing import Any

import structlog

from streams.relay.store import READ_BATCH, Store, StoredFrame, log_end, read_frames
from streams.viewers import fanout
from streams.viewers.broadcast import fixture_group

log = structlog.get_logger("streams.relay")


class FixtureLog:
    """The stored packets of one fixture, and the clients waiting for more."""

    def __init__(self, fixture_id: uuid.UUID, store: Store, *, poll_seconds: float) -> None:
        self.fixture_id = fixture_id
        self.frames: list[StoredFrame] = []
        self.exists = False
        # Position of the packet with finished: true; nothing after it is sent.
        self.finished_at: int | None = None
        # The log was replayed from the start in admin: what clients hold is not it any more.
        self.reset = False
        self.opened: asyncio.Future[None] | None = None
        self._store = store
        self._poll_seconds = poll_seconds
        self._group = fixture_group(fixture_id)
        self._watchers: dict[object, asyncio.Event] = {}
        self._changed = asyncio.Event()
        self._subscribed = False
        self._follower: asyncio.Task[None] | None = None

    @property
    def complete(self) -> bool:
        return self.finished_at is not None

    def watch(self, client: object) -> asyncio.Event:
        """An event set whenever the log grows (or is reset); the client clears it."""
        return self._watchers.setdefault(client, asyncio.Event())

    def unwatch(self, client: object) -> bool:
        """Forget a client; True when none is left."""
        self._watchers.pop(client, None)
        return not self._watchers

    async def open(self) -> None:
        """Subscribe, then read what is stored: in that order, nothing committed in between
        is missed. Then follow the fixture until it finishes."""
        await self._subscribe()
        await self._check_end()
        await self._catch_up()
        self._follower = asyncio.create_task(self._follow())

    async def close(self) -> None:
        if self._follower is not None:
            self._follower.cancel()
            await asyncio.gather(self._follower, return_exceptions=True)
        if self._subscribed:
            with contextlib.suppress(Exception):
                await fanout.leave(self._group, self)

    async def deliver(self, event: dict[str, Any]) -> None:
        """A channel-layer event of the fixture's group (``fanout.Viewer``); never waits."""
        if event.get("type") == "fixture.changes":
            self._changed.set()

    async def _subscribe(self) -> None:
        try:
            await fanout.join(self._group, self)
        except Exception as exc:  # Redis away: poll until it is back
            log.warning("relay.subscribe_failed", fixture=str(self.fixture_id), error=repr(exc))
        else:
            self._subscribed = True

    async def _follow(self) -> None:
        # On after the end too, at the poll's pace: a replay from the start in admin must
        # not leave later clients the old log.
        while not self.reset:
            polled = False
            try:
                await asyncio.wait_for(self._changed.wait(), self._poll_seconds)
            except TimeoutError:
                polled = True
            self._changed.clear()
            try:
                if polled:
                    if not self._subscribed:
                        await self._subscribe()
                    await self._check_end()
                await self._catch_up()
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # Postgres away: clients keep their heartbeats
                log.warning("relay.read_failed", fixture=str(self.fixture_id), error=repr(exc))

    async def _check_end(self) -> None:
        end = await self._store.call(log_end, self.fixture_id)
        self.exists = end.exists
        if end.count < len(self.frames):
            log.info("relay.log_reset", fixture=str(self.fixture_id), held=len(self.frames))
            self.reset = True
            self._wake()

    async def _catch_up(self) -> None:
        """Read every stored packet after the last one held; wake the clients if any."""
        grew = False
        while not self.reset:
            frames = await self._store.call(read_frames, self.fixture_id, len(self.frames))
            for frame in frames:
                if frame.finished and self.finished_at is None:
                    self.finished_at = frame.position
            self.frames.extend(frames)
            grew = grew or bool(frames)
            if len(frames) < READ_BATCH:
                break
        if grew:
            self.exists = True
            self._wake()

    def _wake(self) -> None:
        for event in self._watchers.values():
            event.set()


class Logs:
    """The fixture logs this process holds, one per fixture with clients."""

    def __init__(self, store: Store, *, poll_seconds: float) -> None:
        self._store = store
        self._poll_seconds = poll_seconds
        self._logs: dict[uuid.UUID, FixtureLog] = {}

    async def join(self, fixture_id: uuid.UUID, client: object) -> tuple[FixtureLog, asyncio.Event]:
        """The fixture's log, opened (subscribed and read), and the client's wake-up event."""
        fixture_log = self._logs.get(fixture_id)
        if fixture_log is None or fixture_log.reset:
            fixture_log = self._logs[fixture_id] = FixtureLog(
                fixture_id, self._store, poll_seconds=self._poll_seconds
            )
            fixture_log.opened = asyncio.ensure_future(fixture_log.open())
        assert fixture_log.opened is not None
        wake = fixture_log.watch(client)
        try:
            # Shielded: the opening serves every client of the fixture, not only this one.
            await asyncio.shield(fixture_log.opened)
        except BaseException:
            await self.leave(fixture_log, client)
            raise
        return fixture_log, wake

    async def leave(self, fixture_log: FixtureLog, client: object) -> None:
        if not fixture_log.unwatch(client):
            return
        if self._logs.get(fixture_log.fixture_id) is fixture_log:
            del self._logs[fixture_log.fixture_id]
        opened = fixture_log.opened
        if opened is not None and not opened.done():
            opened.cancel()
        if opened is not None:
            await asyncio.gather(opened, return_exceptions=True)
        await fixture_log.close()

    def held(self) -> int:
        return len(self._logs)
