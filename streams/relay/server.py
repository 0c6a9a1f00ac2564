"""The relay's one port: the vendor's websocket paths and the REST actions twin.

Built on the ``websockets`` library, as the simulator is, not on daphne: a refused
upgrade must be answered 400 with the vendor's text (docs/dde-protocol.md §2.1), and
daphne can only refuse with 403 (it lacks ASGI's denial-response extension). Every
request is first seen by ``_process_request``: a plain GET is the REST twin, an upgrade
is checked (Accept, path, capacity) before the websocket opens.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
from collections.abc import AsyncIterator
from dataclasses import dataclass, field

import structlog
from websockets.asyncio.server import Server, ServerConnection, serve
from websockets.exceptions import ConnectionClosed
from websockets.http11 import Request, Response

from streams.models import Scope
from streams.relay import protocol
from streams.relay.log import Logs
from streams.relay.session import Session, SessionOptions
from streams.relay.store import Store, read_texts, streaming_token

log = structlog.get_logger("streams.relay")

# Clients send one small frame, the auth message; anything bigger is not one.
MAX_CLIENT_FRAME_BYTES = 64 * 1024


class _NoDebugLogger(logging.LoggerAdapter[logging.Logger]):
    """websockets logs frames at DEBUG, and the auth message carries the key."""

    def isEnabledFor(self, level: int) -> bool:
        return level > logging.DEBUG and super().isEnabledFor(level)


_LIBRARY_LOGGER = _NoDebugLogger(logging.getLogger("websockets.server"))


@dataclass(frozen=True)
class RelayOptions:
    heartbeat_seconds: float = 10.0
    # How often a followed fixture's log is read even without a change event.
    poll_seconds: float = 2.0
    auth_timeout: float = 10.0
    max_clients: int = 5000
    db_threads: int = 4
    session: SessionOptions = field(init=False)

    def __post_init__(self) -> None:
        if min(self.heartbeat_seconds, self.poll_seconds, self.auth_timeout) <= 0:
            raise ValueError("heartbeat, poll and auth time-out must be positive")
        if self.max_clients < 1 or self.db_threads < 1:
            raise ValueError("max_clients and db_threads must be at least 1")
        session = SessionOptions(self.heartbeat_seconds, self.auth_timeout)
        object.__setattr__(self, "session", session)


class Relay:
    """Serves the stored log of every fixture to vendor clients, live."""

    def __init__(self, options: RelayOptions | None = None) -> None:
        self.options = options or RelayOptions()
        self.store = Store(self.options.db_threads)
        self.logs = Logs(self.store, poll_seconds=self.options.poll_seconds)
        self.clients = 0

    @contextlib.asynccontextmanager
    async def serve(self, host: str, port: int) -> AsyncIterator[Server]:
        """Listen until the block exits; then every client is closed with 1001."""
        async with serve(
            self._handle,
            host,
            port,
            process_request=self._process_request,
            compression=None,  # one packet, a thousand clients: compressing each is CPU for little
            max_size=MAX_CLIENT_FRAME_BYTES,
            logger=_LIBRARY_LOGGER,
        ) as server:
            yield server

    def close(self) -> None:
        self.store.close()

    async def _process_request(
        self, connection: ServerConnection, request: Request
    ) -> Response | None:
        if not protocol.is_upgrade(request):
            return await self._rest(request)
        if not protocol.accepts(request):
            return protocol.text_response(400, protocol.MISSING_ACCEPT)
        try:
            protocol.parse_stream(request.path)
        except protocol.NotFound as exc:
            return protocol.error_response(404, str(exc))
        except protocol.BadRequest as exc:
            return protocol.error_response(400, str(exc))
        if self.clients >= self.options.max_clients:
            log.warning("relay.full", clients=self.clients)
            return protocol.text_response(503, "Service Unavailable")
        return None

    async def _handle(self, ws: ServerConnection) -> None:
        self.clients += 1
        try:
            assert ws.request is not None
            request = protocol.parse_stream(ws.request.path)
            await Session(ws, request, self.logs, self.store, self.options.session).run()
        except ConnectionClosed:
            pass
        finally:
            self.clients -= 1

    async def _rest(self, request: Request) -> Response:
        """``GET /{sport}/fixtures/{fixtureId}/actions``: every stored packet, as the
        vendor's post-match list (§11.2), each exactly as received."""
        if not protocol.accepts(request):
            return protocol.text_response(400, protocol.MISSING_ACCEPT)
        key = protocol.bearer_key(request)
        token = None if key is None else await self.store.call(streaming_token, key)
        if token is None or not token.has_scope(Scope.STREAM):
            return protocol.text_response(401, protocol.INVALID_AUTH)
        try:
            route = protocol.parse_rest(request.path)
        except protocol.NotFound as exc:
            return protocol.error_response(404, str(exc))
        if route.kind != "actions" or route.fixture_id is None:
            return protocol.error_response(404, "the relay serves only the actions endpoint")
        texts = await self.store.call(read_texts, route.fixture_id)
        if texts is None:
            return protocol.error_response(404, f"no fixture {route.fixture_id}")
        return protocol.response(200, ("[" + ",".join(texts) + "]").encode())


def run(host: str, port: int, options: RelayOptions) -> None:
    """Serve until SIGINT or SIGTERM."""

    async def main() -> None:
        relay = Relay(options)
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for number in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(number, stop.set)
        try:
            async with relay.serve(host, port) as server:
                bound = [s.getsockname()[:2] for s in server.sockets]
                log.info("relay.listening", addresses=[f"{h}:{p}" for h, p in bound])
                await stop.wait()
                log.info("relay.stopping", clients=relay.clients)
        finally:
            relay.close()

    asyncio.run(main())
