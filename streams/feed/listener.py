"""A listener follows one fixture's feed and stores every packet, resuming after any drop.

The feed side is asyncio (``streams.dde.client``) on the process's one listener loop
(``streams.feed.loop``); Django's ORM is synchronous, so every database call runs on one of the
loop's store threads, which hands its connection back to the pool after each call, so
hundreds of listeners in one worker share a few connections. A listener makes one call
at a time, so its writer is never used by two threads at once. Packets already waiting
when the previous transaction is done are stored in one transaction, which makes a fast
replay quick while a live match gets one per packet.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import enum
import logging
import math
import threading
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from typing import Any, TypeVar

import structlog
from django.conf import settings
from django.db import connection
from django.utils import timezone

from streams import webhooks
from streams.catalogue import describe_stored
from streams.dde.client import (
    AuthRejected,
    Connected,
    Disconnected,
    Event,
    FeedClient,
    FeedEndpoint,
    Rejected,
)
from streams.dde.messages import ControlMessage, DataPacket
from streams.feed import lifecycle
from streams.feed.locks import Lease, LeaseLost, ProcessLocks, process_locks
from streams.feed.loop import listener_loop
from streams.feed.ratelimit import vendor_limiter
from streams.feed.writer import FixtureWriter, record_rejected_frame
from streams.meaning.freshness import FeedState, feed_payload
from streams.models import Feed, Fixture, ListenerState
from streams.ops import metrics
from streams.stored import Arrival, StoredPacket, StoreResult
from streams.viewers import broadcast

T = TypeVar("T")


class Outcome(enum.Enum):
    ALREADY_FOLLOWED = "already_followed"
    FINISHED = "finished"
    STOPPED = "stopped"
    SHUTDOWN = "shutdown"
    WINDOW_CLOSED = "window_closed"
    LEASE_LOST = "lease_lost"
    FAILED = "failed"


_FINAL_STATES = {
    Outcome.FINISHED: ListenerState.FINISHED,
    Outcome.FAILED: ListenerState.FAILED,
    Outcome.SHUTDOWN: ListenerState.IDLE,  # another worker takes it over at the next tick
}

# Set when this process shuts down: a threads pool cannot kill a running task, so every
# listener checks the flag between frames and lets go of its fixture within seconds.
_process_stopping = threading.Event()


def stop_all_listeners() -> None:
    """Ask every listener of this process to let go of its fixture (worker shutdown)."""
    _process_stopping.set()


@dataclass(frozen=True, slots=True)
class Heard:
    """Anything else the feed client reported (a connection, a drop, a rejected frame...)."""

    event: Event
    received_at: dt.datetime


class AuthFailed:
    """Queued after the feed rejected the token; the events before it are handled first."""


Queued = Arrival | Heard | AuthFailed


@dataclass(frozen=True)
class ListenerSettings:
    streams_url: str
    token: str = field(repr=False)  # never in a log line, a traceback's locals or an error report
    sport: str
    watchdog_seconds: float
    max_frame_bytes: int
    frame_ceiling_bytes: int
    batch_max: int
    auth_retry_seconds: float
    check_every_seconds: float = 2.0

    @classmethod
    def from_django(cls) -> ListenerSettings:
        return cls(
            streams_url=settings.DDE_STREAMS_URL,
            token=settings.DDE_AUTH_TOKEN,
            sport=settings.DDE_SPORT,
            watchdog_seconds=settings.DDE_WATCHDOG_SECONDS,
            max_frame_bytes=settings.DDE_MAX_FRAME_BYTES,
            frame_ceiling_bytes=settings.DDE_FRAME_CEILING_BYTES,
            batch_max=settings.LISTENER_BATCH_MAX,
            auth_retry_seconds=settings.LISTENER_AUTH_RETRY_SECONDS,
        )


def follow(
    fixture_id: uuid.UUID,
    *,
    speed: str | None = None,
    locks: ProcessLocks | None = None,
    config: ListenerSettings | None = None,
    until_finished: bool = False,
) -> Outcome:
    """Follow a fixture until it finishes, is stopped or (unless ``until_finished``) its
    listen window closes.

    Blocks the calling thread. Returns ``ALREADY_FOLLOWED`` at once when another listener,
    anywhere in the cluster, holds the fixture. Safe to call twice.
    """
    locks = locks or process_locks()
    lease = locks.try_acquire(fixture_id)
    log = structlog.get_logger("streams.feed.listener").bind(fixture=str(fixture_id))
    if lease is None:
        stored = Fixture.objects.filter(pk=fixture_id).values_list("last_position", flat=True)
        log.info("listener.already_followed", position=stored.first())
        return Outcome.ALREADY_FOLLOWED
    try:
        config = config or ListenerSettings.from_django()
        listener = _Listener(
            fixture_id, lease, locks, config, log, honour_window=not until_finished
        )
        return listener_loop().run(listener.run(speed))
    finally:
        locks.release(lease)


class _Listener:
    def __init__(
        self,
        fixture_id: uuid.UUID,
        lease: Lease,
        locks: ProcessLocks,
        config: ListenerSettings,
        log: Any,
        *,
        honour_window: bool,
    ) -> None:
        self.fixture_id = fixture_id
        self.honour_window = honour_window
        self.lease = lease
        self.locks = locks
        self.config = config
        self.log = PositionedLog(log, lambda: self.next_position)
        self.next_position = 0
        self._last_check = 0.0
        self._publishing: asyncio.Task[None] | None = None
        self._publisher = broadcast.FixturePublisher(fixture_id)
        self._last_frame_at: dt.datetime | None = None
        self._connected = False  # between Connected and Disconnected
        self._last_heard_told = -math.inf
        self._epoch = 0  # set by _run from start_listening

    async def run(self, speed: str | None) -> Outcome:
        outcome, error = Outcome.FAILED, ""
        try:
            outcome = await self._run(speed)
        except LeaseLost as exc:
            outcome, error = Outcome.LEASE_LOST, str(exc)
        except Exception as exc:
            if self._lease_lost():
                # The failure is the partition that also cost the lock (a query on a dead
                # connection): not this listener's to report, nor to write.
                outcome, error = Outcome.LEASE_LOST, f"{type(exc).__name__}: {exc}"
                self.log.warning("listener.lease_lost", error=error[:200])
            else:
                error = f"{type(exc).__name__}: {exc}"
                self.log.exception("listener.failed", position=self.next_position)
        finally:
            await self._finish(outcome, error)
        return outcome

    async def _run(self, speed: str | None) -> Outcome:
        start = await self._db(partial(lifecycle.start_listening, publish=False), self.fixture_id)
        await self._tell_feed(start.state)
        self._epoch = start.epoch
        self._writer = FixtureWriter(self.fixture_id, epoch=start.epoch)
        # Before connecting: a replay's packets arrive at once, and reading what is stored
        # while the loop parses them was the slowest step of the first transaction.
        await self._db(self._writer.load)
        self.next_position = start.next_position
        self.log.info("listener.started", position=self.next_position)
        if start.finished:
            return Outcome.FINISHED
        endpoint = FeedEndpoint(
            streams_url=self.config.streams_url,
            fixture_id=str(self.fixture_id),
            token=self.config.token,
            sport=self.config.sport,
            media=start.feed == Feed.MEDIA,
            speed=speed or start.speed,
        )
        while True:
            outcome = await self._follow_feed(endpoint)
            if outcome is None:  # the token was rejected: wait, don't hammer the vendor
                outcome = await self._wait_before_auth_retry()
            if outcome is not None:
                return outcome

    async def _follow_feed(self, endpoint: FeedEndpoint) -> Outcome | None:
        """Store what the feed sends; None when the token was rejected."""
        client = FeedClient(
            endpoint,
            watchdog_seconds=self.config.watchdog_seconds,
            max_frame_bytes=self.config.max_frame_bytes,
            frame_ceiling_bytes=self.config.frame_ceiling_bytes,
            logger=self.log,
            # Every (re)connect waits for the cluster's vendor rate limit.
            before_connect=vendor_limiter().acquire_async,
        )
        queue: asyncio.Queue[Queued] = asyncio.Queue(maxsize=self.config.batch_max * 4)
        pump = asyncio.create_task(self._pump(client, queue))
        try:
            while True:
                try:
                    first = await asyncio.wait_for(queue.get(), self.config.check_every_seconds)
                except TimeoutError:
                    outcome = await self._periodic_check(force=True)
                else:
                    if isinstance(first, AuthFailed):
                        return None
                    batch = [first, *_drain(queue, self.config.batch_max - 1)]
                    outcome = await self._handle(batch)
                if outcome is not None:
                    return outcome
        finally:
            pump.cancel()
            await asyncio.gather(pump, return_exceptions=True)

    async def _pump(self, client: FeedClient, queue: asyncio.Queue[Queued]) -> None:
        events = client.events(lambda: self.next_position)
        try:
            async for event in events:
                now = timezone.now()
                await queue.put(
                    Arrival(event, now) if isinstance(event, DataPacket) else Heard(event, now)
                )
        except AuthRejected as exc:
            self.log.warning("listener.auth_rejected", reason=exc.message)
            metrics.AUTH_FAILURES.inc()
            retry_in = self.config.auth_retry_seconds
            feed = await self._db(
                partial(lifecycle.record_auth_rejected, epoch=self._epoch, publish=False),
                self.fixture_id,
                exc.message,
                retry_in,
            )
            await self._tell_feed(feed)
            await queue.put(AuthFailed())
        finally:
            await events.aclose()

    async def _handle(self, heard: list[Arrival | Heard]) -> Outcome | None:
        """Handle events in order; runs of data packets are stored in one transaction."""
        arrivals: list[Arrival] = []
        for item in heard:
            self._last_frame_at = item.received_at
            if isinstance(item, Arrival):
                arrivals.append(item)
                continue
            outcome = await self._store(arrivals)
            arrivals = []
            if outcome is not None:
                return outcome
            await self._handle_other(item.event)
        return await self._store(arrivals) or await self._periodic_check(force=False)

    async def _store(self, arrivals: list[Arrival]) -> Outcome | None:
        if not arrivals:
            return None
        result = await self._db(self._store_described, arrivals)
        self.next_position = result.next_position
        _count_stored(result.stored)
        if result.stored:
            # Committed: tell viewers while the next batch is being stored, in order.
            previous = self._publishing
            self._publishing = asyncio.create_task(self._publish(previous, result.stored))
        # Receive-to-commit of the oldest packet in the batch: the figure the bench reads.
        waited_ms = (timezone.now() - arrivals[0].received_at).total_seconds() * 1000
        self.log.debug(
            "listener.stored",
            count=len(result.stored),
            position=self.next_position - 1,
            commit_ms=round(waited_ms, 3),
        )
        if result.repeats:
            self.log.info("listener.repeats_skipped", count=result.repeats)
        if result.finished:
            self.log.info("listener.finished", position=self.next_position - 1)
            return Outcome.FINISHED
        return Outcome.STOPPED if result.stop_requested else None

    def _store_described(self, arrivals: list[Arrival]) -> StoreResult:
        """Store the packets, then describe their actions as timeline rows for viewers."""
        result = describe_stored(self.fixture_id, self._writer.store(arrivals))
        if result.stored:
            webhooks.nudge_after_commit(self.fixture_id)
        return result

    async def _publish(self, previous: asyncio.Task[None] | None, stored: list[Any]) -> None:
        if previous is not None:
            await previous
        await self._publisher.publish(stored)

    async def _handle_other(self, event: Event) -> None:
        if isinstance(event, Rejected):
            metrics.REJECTED_FRAMES.inc()
            self.log.warning(
                "listener.frame_rejected",
                reason=event.reason,
                size=event.size,
                position=self.next_position,
            )
            last_stored = self.next_position - 1 if self.next_position else None
            await self._db(self._record_rejected, event, last_stored)
        elif isinstance(event, Connected):
            self.log.debug("listener.connected", position=self.next_position)
            self._connected = True
            feed = await self._db(
                partial(lifecycle.record_connected, epoch=self._epoch, publish=False),
                self.fixture_id,
            )
            await self._tell_feed(feed)
        elif isinstance(event, Disconnected):
            metrics.RECONNECTS.inc()
            self.log.debug("listener.disconnected", position=self.next_position)
            self._connected = False
            feed = await self._db(
                partial(lifecycle.record_disconnected, epoch=self._epoch, publish=False),
                self.fixture_id,
                event.reason,
            )
            await self._tell_feed(feed)
        elif isinstance(event, ControlMessage) and not event.is_heartbeat:
            self.log.info("listener.control_message", message=event.message, level=event.level)

    def _record_rejected(self, event: Rejected, after_position: int | None) -> None:
        record_rejected_frame(
            self.fixture_id,
            frame=event.frame,
            size=event.size,
            reason=event.reason,
            after_position=after_position,
        )

    async def _periodic_check(self, *, force: bool) -> Outcome | None:
        """Every few seconds: note the last frame time, honour a stop request or a closed window."""
        if self._lease_lost():
            # This process's lock connection died (ProcessLocks checks it every few
            # seconds): the lock may already be another worker's, so stop before anything
            # else is written; the writes are fenced by the epoch besides.
            self.log.warning("listener.lease_lost", position=self.next_position)
            return Outcome.LEASE_LOST
        now = asyncio.get_running_loop().time()
        if not force and now - self._last_check < self.config.check_every_seconds:
            return None
        self._last_check = now
        if _process_stopping.is_set():
            return Outcome.SHUTDOWN
        check = await self._db(lifecycle.check, self.fixture_id, self._last_frame_at, self._epoch)
        if not check.taken_over:
            await self._tell_heard(now)
        if check.taken_over:
            # Our lock went with its connection (a Postgres restart) and the dispatcher
            # started another listener: stop now, not at the next packet, which on a quiet
            # feed can be minutes away while both keep a connection to the vendor.
            self.log.warning("listener.taken_over", position=self.next_position)
            return Outcome.LEASE_LOST
        if check.stop_requested:
            return Outcome.STOPPED
        return Outcome.WINDOW_CLOSED if check.window_closed and self.honour_window else None

    def _lease_lost(self) -> bool:
        return not self.locks.holds(self.lease)

    async def _tell_feed(self, feed: dict[str, Any] | None) -> None:
        """Publish a listener state just written (lifecycle's ``feed`` message), on this
        loop: after the packets published before it."""
        if feed is None:
            return
        if self._publishing is not None:
            await asyncio.gather(self._publishing, return_exceptions=True)
        await self._publisher.publish_feed(feed)

    async def _tell_heard(self, now: float) -> None:
        """While connected, tell viewers the feed is alive every few seconds (a ``feed``
        message with the last frame time): heartbeats alone store nothing, and a page that
        heard nothing for longer than the watchdog allows shows the feed as delayed."""
        if not self._connected or self._last_frame_at is None:
            return
        if now - self._last_heard_told < self.config.watchdog_seconds / 3:
            return
        self._last_heard_told = now
        feed = feed_payload(FeedState.FOLLOWING, self._last_frame_at, self.config.watchdog_seconds)
        await self._publisher.publish_feed(feed)

    async def _wait_before_auth_retry(self) -> Outcome | None:
        loop = asyncio.get_running_loop()
        until = loop.time() + self.config.auth_retry_seconds
        while loop.time() < until:
            await asyncio.sleep(min(self.config.check_every_seconds, until - loop.time()))
            outcome = await self._periodic_check(force=True)
            if outcome is not None:
                return outcome
        return None

    async def _finish(self, outcome: Outcome, error: str) -> None:
        if self._publishing is not None:
            await asyncio.gather(self._publishing, return_exceptions=True)
        self.log.info("listener.stopped", outcome=outcome.value, position=self.next_position - 1)
        if outcome is Outcome.LEASE_LOST:
            return  # the fixture's state is the new listener's to write now
        state = _FINAL_STATES.get(outcome, ListenerState.STOPPED)
        try:
            feed = await self._db(
                partial(lifecycle.record_stopped, epoch=self._epoch, publish=False),
                self.fixture_id,
                state,
                error,
            )
            await self._tell_feed(feed)
        except Exception:
            self.log.exception("listener.final_state_not_saved")

    async def _db(self, fn: Callable[..., T], *args: Any) -> T:
        loop = asyncio.get_running_loop()
        call = partial(_with_pooled_connection, fn, *args)
        return await loop.run_in_executor(listener_loop().store_pool, call)


class PositionedLog:
    """The listener's logger: every line gets the fixture (bound) and the position, the
    next one expected unless the line names its own, so any line can be placed in the
    stream. The feed client logs through it too."""

    def __init__(self, log: Any, position: Callable[[], int]) -> None:
        self._log = log
        self._position = position

    def debug(self, event: str, /, **kw: Any) -> Any:
        # Checked first: a listener logs each transaction at debug level, and building the
        # event only for the filter to drop it cost more than a tenth of a packet's time.
        enabled = getattr(self._log, "isEnabledFor", None)  # on the stdlib-backed logger
        if enabled is None or enabled(logging.DEBUG):
            self._log.debug(event, **self._with_position(kw))

    def info(self, event: str, /, **kw: Any) -> Any:
        return self._log.info(event, **self._with_position(kw))

    def warning(self, event: str, /, **kw: Any) -> Any:
        return self._log.warning(event, **self._with_position(kw))

    def exception(self, event: str, /, **kw: Any) -> Any:
        return self._log.exception(event, **self._with_position(kw))

    def _with_position(self, kw: dict[str, Any]) -> dict[str, Any]:
        kw.setdefault("position", self._position())
        return kw


def _count_stored(stored: list[StoredPacket]) -> None:
    metrics.PACKETS_STORED.inc(len(stored))
    committed = timezone.now()
    metrics.LISTENER_LAG.observe(
        *(
            (committed - s.packet.action.timestamp).total_seconds()
            for s in stored
            if s.packet.action.timestamp is not None
        )
    )


def _with_pooled_connection(fn: Callable[..., T], *args: Any) -> T:
    # Give the connection back to the pool after every call: a listener mostly waits.
    try:
        return fn(*args)
    finally:
        connection.close()


def _drain(queue: asyncio.Queue[Queued], limit: int) -> list[Arrival | Heard]:
    """Take what is already waiting, up to ``limit``, stopping before an AuthFailed marker."""
    arrivals: list[Arrival | Heard] = []
    while len(arrivals) < limit and not queue.empty():
        item = queue.get_nowait()
        if isinstance(item, AuthFailed):
            # The pump has ended, so nothing follows the marker: put it back for next turn.
            queue.put_nowait(item)
            break
        arrivals.append(item)
    return arrivals
