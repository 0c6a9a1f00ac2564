"""One client of the relay: authorise, then the fixture's packets from ``startPosition`` on.

The sequence is the vendor's (docs/dde-protocol.md §2-§4, docs/relay.md): the first frame
must be ``{"authToken": ...}``, answered ``Authorisation accepted`` or with an ERROR and a
close; then heartbeats every few seconds, interleaved with the stored packets from
``startPosition`` (skip N), each byte for byte as received, then each new one as it is
stored; after the packet with ``finished: true`` the relay closes (1000). Frames the
client sends after its auth message are read and ignored.
"""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from typing import Any

import structlog
from websockets.asyncio.server import ServerConnection
from websockets.exceptions import ConnectionClosed

from streams.models import ApiToken, Scope
from streams.relay import protocol
from streams.relay.log import FixtureLog, Logs
from streams.relay.store import Store, streaming_token

# A fairness yield while a backlog fills one socket (sends do not yield unless it is full).
_YIELD_EVERY = 64
# speed=normal replays a finished fixture with the spacing its packets were received
# with, but no gap longer than this (a listener down for an hour is not a pause to replay).
MAX_REPLAY_GAP_SECONDS = 15 * 60.0


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


@dataclass(frozen=True)
class SessionOptions:
    heartbeat_seconds: float = 10.0
    auth_timeout: float = 10.0
    clock: Callable[[], dt.datetime] = utcnow


class Session:
    """One websocket of one client, from its auth message to the close."""

    def __init__(
        self,
        ws: ServerConnection,
        request: protocol.StreamRequest,
        logs: Logs,
        store: Store,
        options: SessionOptions,
    ) -> None:
        self._ws = ws
        self._request = request
        self._logs = logs
        self._store = store
        self._options = options
        self._next_heartbeat = 0.0
        self._log = structlog.get_logger("streams.relay").bind(
            fixture=str(request.fixture_id), start_position=request.start_position
        )
        self.sent = 0  # data packets

    async def run(self) -> None:
        token = await self._authorise()
        if token is None:
            return
        self._log = self._log.bind(token=token.prefix)
        self._log.info("relay.authorised", speed=self._request.speed)
        try:
            fixture_log, wake = await self._logs.join(self._request.fixture_id, self)
        except Exception as exc:
            self._log.warning("relay.log_unavailable", error=repr(exc))
            await self._ws.close(protocol.SERVER_ERROR, "the log cannot be read now")
            return
        try:
            await self._until_closed(self._stream(fixture_log, wake))
        finally:
            await self._logs.leave(fixture_log, self)
            self._log.info("relay.closed", sent=self.sent)

    async def _authorise(self) -> ApiToken | None:
        """The auth message (§2.2) and the answer (§2.3); None when refused (and closed)."""
        try:
            frame = await asyncio.wait_for(self._ws.recv(), self._options.auth_timeout)
        except TimeoutError:
            await self._refuse(protocol.AUTH_MISSING, "no auth message in time")
            return None
        key = protocol.auth_token(frame)
        if key is None:
            await self._refuse(protocol.AUTH_BAD_FORMAT, "malformed auth message")
            return None
        try:
            token = await self._store.call(streaming_token, key)
        except Exception as exc:
            self._log.warning("relay.token_check_failed", error=repr(exc))
            await self._ws.close(protocol.SERVER_ERROR, "the token cannot be checked now")
            return None
        if token is None:
            await self._refuse(protocol.INVALID_AUTH, "unknown or revoked token")
            return None
        if not token.has_scope(Scope.STREAM):
            # The vendor's rejection, whatever the reason: the log names it.
            await self._refuse(protocol.INVALID_AUTH, f"token {token.prefix} lacks stream")
            return None
        await self._ws.send(protocol.control(protocol.AUTH_ACCEPTED, "INFO"))
        return token

    async def _refuse(self, message: str, reason: str) -> None:
        self._log.info("relay.refused", reason=reason)
        await self._ws.send(protocol.control(message, "ERROR"))
        await self._ws.close(protocol.POLICY_VIOLATION, "authentication failed")

    async def _until_closed(self, streaming: Coroutine[Any, Any, None]) -> None:
        """Stream while reading and ignoring the client's frames (§2.4); stop at a close."""
        sender = asyncio.create_task(streaming)
        reader = asyncio.create_task(self._ignore_frames())
        try:
            await asyncio.wait({sender, reader}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for task in (sender, reader):
                task.cancel()
            results = await asyncio.gather(sender, reader, return_exceptions=True)
        for result in results:
            if isinstance(result, Exception) and not isinstance(result, ConnectionClosed):
                self._log.error("relay.session_failed", exc_info=result)

    async def _ignore_frames(self) -> None:
        async for _ in self._ws:
            pass

    async def _stream(self, fixture_log: FixtureLog, wake: asyncio.Event) -> None:
        ws, start = self._ws, self._request.start_position
        loop = asyncio.get_running_loop()
        self._next_heartbeat = loop.time() + self._options.heartbeat_seconds
        # speed only matters for a fixture that is over (§4); a live one is sent as it comes.
        paced = self._request.speed == "normal" and fixture_log.complete
        if not fixture_log.exists:
            await ws.send(protocol.unknown_fixture(str(self._request.fixture_id)))
        position = start
        while True:
            if fixture_log.reset:
                await ws.close(protocol.RESTARTED, "the fixture's log was replayed from the start")
                return
            end = fixture_log.finished_at
            if end is not None and position > end:  # startPosition past the end
                await ws.send(protocol.past_the_end(start, end + 1))
                await ws.close(protocol.FINISHED, "fixture finished")
                return
            if position < len(fixture_log.frames):
                frame = fixture_log.frames[position]
                if paced and position > start:
                    gap = frame.received_at - fixture_log.frames[position - 1].received_at
                    await self._sleep(min(max(gap, 0.0), MAX_REPLAY_GAP_SECONDS))
                await ws.send(frame.data, text=True)  # the text as received, not re-encoded
                self.sent += 1
                position += 1
                if frame.finished:
                    await ws.close(protocol.FINISHED, "fixture finished")
                    return
                await self._heartbeat_if_due()
                if self.sent % _YIELD_EVERY == 0:
                    await asyncio.sleep(0)
                continue
            wake.clear()
            if position < len(fixture_log.frames) or fixture_log.reset:
                continue  # it grew while this client was sending
            await self._wait(wake)

    async def _wait(self, wake: asyncio.Event) -> None:
        """Until the log grows, sending heartbeats when they fall due."""
        while not wake.is_set():
            try:
                async with asyncio.timeout_at(self._next_heartbeat):
                    await wake.wait()
            except TimeoutError:
                pass
            await self._heartbeat_if_due()

    async def _sleep(self, seconds: float) -> None:
        """A paced replay's pause, with heartbeats."""
        loop = asyncio.get_running_loop()
        until = loop.time() + seconds
        while loop.time() < until:
            await asyncio.sleep(min(until, self._next_heartbeat) - loop.time())
            await self._heartbeat_if_due()

    async def _heartbeat_if_due(self) -> None:
        loop = asyncio.get_running_loop()
        if loop.time() >= self._next_heartbeat:
            await self._ws.send(protocol.heartbeat(self._options.clock()))
            self._next_heartbeat = loop.time() + self._options.heartbeat_seconds
