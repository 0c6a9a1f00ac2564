"""The simulator: one websockets server for the Live Actions stream and its REST twins."""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import hmac
import itertools
import json
import logging
import random
import time
from collections.abc import AsyncIterator, Callable, Coroutine
from dataclasses import dataclass
from functools import partial
from typing import Any, Final

from websockets.asyncio.server import Server, ServerConnection, serve
from websockets.exceptions import ConnectionClosed
from websockets.http11 import Request, Response

from streams.simulator import rest
from streams.simulator.arrivals import Arrivals
from streams.simulator.faults import FaultSpec
from streams.simulator.feed import Feed, FeedOptions, control
from streams.simulator.hostile import echoed_refusal
from streams.simulator.journal import Journal
from streams.simulator.routes import (
    ACCEPT_MEDIA_TYPE,
    BadRequest,
    NotFound,
    parse_rest,
    parse_stream,
)
from streams.simulator.running import RunningSimulator
from streams.simulator.schedule import Schedule
from streams.simulator.stats import Stats

logger = logging.getLogger(__name__)

DEMO_TOKEN: Final = "demo-token"
MISSING_ACCEPT: Final = "Request is missing required HTTP header 'Accept'"
INVALID_AUTH: Final = "The supplied authentication is invalid"
AUTH_ACCEPTED: Final = "Authorisation accepted"
AUTH_BAD_FORMAT: Final = "Authentication message had incorrect format"
AUTH_MISSING: Final = "No authentication message was received in time"
POLICY_VIOLATION: Final = 1008


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def auth_token(frame: str | bytes) -> str | None:
    """The token of a well-formed ``{"authToken": "..."}`` message, else None."""
    if isinstance(frame, bytes):
        return None
    try:
        message = json.loads(frame)
    except ValueError:
        return None
    token = message.get("authToken") if isinstance(message, dict) else None
    return token if isinstance(token, str) and token else None


def _header(request: Request, name: str) -> str:
    return ", ".join(request.headers.get_all(name))


@dataclass(frozen=True)
class Serving:
    """Where an ``async with sim.serve(...)`` server listens."""

    server: Server
    host: str
    port: int

    @property
    def ws_url(self) -> str:
        return f"ws://{self.host}:{self.port}"

    @property
    def http_url(self) -> str:
        return f"http://{self.host}:{self.port}"


class Simulator:
    """The DDE Live Actions feed and its REST twins, as docs/dde-protocol.md documents them."""

    def __init__(
        self,
        schedule: Schedule | None = None,
        *,
        token: str = DEMO_TOKEN,
        pace: float = 1.0,
        heartbeat: float = 10.0,
        faults: FaultSpec | None = None,
        auth_timeout: float = 10.0,
        clock: Callable[[], dt.datetime] = utcnow,
    ) -> None:
        if pace <= 0 or heartbeat <= 0:
            raise ValueError("pace and heartbeat must be positive")
        self.schedule = schedule if schedule is not None else Schedule()
        self.pace = pace
        self.heartbeat = heartbeat
        self.faults = faults or FaultSpec()
        self.auth_timeout = auth_timeout
        self.stats = Stats()
        self.journal = Journal()
        self.arrivals = Arrivals()
        self._open: set[ServerConnection] = set()
        self._token = token
        self._clock = clock
        self._first_attempt: float | None = None
        self._malformed = 0
        self._drops = 0
        self._connections = itertools.count(1)
        self._random = random.Random(self.faults.seed)

    @contextlib.asynccontextmanager
    async def serve(self, host: str = "127.0.0.1", port: int = 0) -> AsyncIterator[Serving]:
        """Listen on ``host:port`` (0 picks a free port) until the block exits."""
        async with serve(
            self._handle,
            host,
            port,
            process_request=self._process_request,
            # Liveness is the vendor's heartbeat messages; no protocol pings, so a
            # silence fault is silent at every level.
            ping_interval=None,
            compression=None,
        ) as server:
            bound = next(iter(server.sockets)).getsockname()[1]
            yield Serving(server, host, bound)

    def start_in_thread(self, host: str = "127.0.0.1", port: int = 0) -> RunningSimulator:
        """Serve from a daemon thread with its own event loop, for sync code."""
        return RunningSimulator.start(self, host, port)

    def drop_all(self) -> int:
        """Cut every open stream at once, without a close frame (a mass drop, for tests);
        call it on the server's loop. How many were cut."""
        dropped = list(self._open)
        for ws in dropped:
            ws.transport.abort()
        return len(dropped)

    def _next_malformed(self) -> int:
        # Shared by all connections so that every kind turns up even with short ones.
        kind, self._malformed = self._malformed, self._malformed + 1
        return kind

    def _next_drop(self) -> int:
        # Shared too: drop_code=mix then cycles through every code across the fixtures.
        number, self._drops = self._drops, self._drops + 1
        return number

    def _token_accepted(self, token: str) -> bool:
        first = self._first_attempt
        if first is not None and self.faults.refuses_token_at(time.monotonic() - first):
            return False
        return hmac.compare_digest(token.encode(), self._token.encode())

    async def _process_request(
        self, connection: ServerConnection, request: Request
    ) -> Response | None:
        self.arrivals.note()
        if "websocket" not in _header(request, "Upgrade").lower():
            return await self._rest(request)
        self.stats.upgrades += 1
        if self._first_attempt is None:
            self._first_attempt = time.monotonic()
        refusal = self._refuse_upgrade(request)
        if refusal is not None:
            self.stats.rejected_upgrades += 1
            logger.info("upgrade refused: %s %s", refusal.status_code, request.path.split("?")[0])
            with contextlib.suppress(NotFound, BadRequest):
                fixture_id = str(parse_stream(request.path).fixture_id)
                self.journal.note(fixture_id, 0, "upgrade_refused", str(refusal.status_code))
        return refusal

    def _refuse_upgrade(self, request: Request) -> Response | None:
        every = self.faults.http503
        if every and self.stats.upgrades % every == 0:
            self.stats.http503 += 1
            return rest.text_response(503, "Service Unavailable")
        if ACCEPT_MEDIA_TYPE not in _header(request, "Accept"):
            return rest.text_response(400, MISSING_ACCEPT)
        try:
            parse_stream(request.path)
        except NotFound as exc:
            return rest.error_response(404, str(exc))
        except BadRequest as exc:
            return rest.error_response(400, str(exc))
        return None

    async def _rest(self, request: Request) -> Response:
        self.stats.rest_requests += 1
        if ACCEPT_MEDIA_TYPE not in _header(request, "Accept"):
            return rest.text_response(400, MISSING_ACCEPT)
        authorization = _header(request, "Authorization")
        scheme, _, token = authorization.partition(" ")
        if scheme.lower() != "bearer" or not hmac.compare_digest(
            token.strip().encode(), self._token.encode()
        ):
            if self.schedule.variant.hostile:  # --hostile: the credentials echoed back
                return rest.error_response(401, echoed_refusal(authorization))
            return rest.text_response(401, INVALID_AUTH)
        try:
            route = parse_rest(request.path)
            paged = _header(request, "paged").strip().lower() == "true"
            # Generating a match takes a few milliseconds: keep the loop free meanwhile.
            return await asyncio.to_thread(
                partial(rest.answer, paged=paged), route, self.schedule, self.pace, self._clock()
            )
        except NotFound as exc:
            return rest.error_response(404, str(exc))
        except BadRequest as exc:
            return rest.error_response(400, str(exc))

    async def _handle(self, ws: ServerConnection) -> None:
        request = parse_stream(ws.request.path if ws.request else "")
        fixture_id, number = str(request.fixture_id), next(self._connections)
        self.stats.connections += 1
        self.stats.open_connections += 1
        self._open.add(ws)
        logger.info(
            "stream opened: fixture %s from position %d", request.fixture_id, request.start_position
        )

        def note(kind: str, detail: str = "") -> None:
            self.journal.note(fixture_id, number, kind, detail)

        try:
            if not await self._authenticate(ws, note):
                return
            note("authorised", str(request.start_position))
            match = await asyncio.to_thread(self.schedule.match, request.fixture_id, self.pace)
            options = FeedOptions(
                self.pace,
                self.heartbeat,
                self.faults,
                self.stats,
                self._next_malformed,
                self._clock,
                next_drop=self._next_drop,
                random=self._random.random,
                note=note,
            )
            await self._until_closed(ws, Feed(ws, match, request, options).run())
        except ConnectionClosed:
            pass
        finally:
            self._open.discard(ws)
            self.stats.open_connections -= 1
            note("closed")
            logger.info("stream closed: fixture %s", request.fixture_id)

    async def _authenticate(self, ws: ServerConnection, note: Callable[[str, str], None]) -> bool:
        """Wait for the auth message (docs/dde-protocol.md §2.2) and answer it (§2.3)."""
        try:
            frame = await asyncio.wait_for(ws.recv(), self.auth_timeout)
        except TimeoutError:
            return await self._refuse(ws, AUTH_MISSING)
        token = auth_token(frame)
        if token is None:
            return await self._refuse(ws, AUTH_BAD_FORMAT)
        if not self._token_accepted(token):
            note("token_refused", "")
            # --hostile: the token echoed back (in the reply only, never in the log).
            echo = echoed_refusal(token) if self.schedule.variant.hostile else None
            return await self._refuse(ws, INVALID_AUTH, reply=echo)
        await ws.send(control(AUTH_ACCEPTED, "INFO"))
        self.stats.auth_ok += 1
        return True

    async def _refuse(self, ws: ServerConnection, message: str, reply: str | None = None) -> bool:
        self.stats.auth_failed += 1
        logger.info("authentication refused: %s", message)
        await ws.send(control(reply or message, "ERROR"))
        await ws.close(POLICY_VIOLATION, "authentication failed")
        return False

    async def _until_closed(self, ws: ServerConnection, sending: Coroutine[Any, Any, None]) -> None:
        """Run the feed while reading and ignoring client frames (§2.4); stop at close."""
        sender = asyncio.create_task(sending)
        reader = asyncio.create_task(self._ignore_frames(ws))
        try:
            await asyncio.wait({sender, reader}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for task in (sender, reader):
                task.cancel()
            results = await asyncio.gather(sender, reader, return_exceptions=True)
        for result in results:
            if isinstance(result, Exception) and not isinstance(result, ConnectionClosed):
                logger.error("stream failed", exc_info=result)

    async def _ignore_frames(self, ws: ServerConnection) -> None:
        async for _ in ws:
            self.stats.client_frames_ignored += 1
