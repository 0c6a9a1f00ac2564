"""A scripted fake DDE upstream on a loopback port, for testing the client at its seam."""

from __future__ import annotations

import asyncio
import json
import logging
import uuid
from collections.abc import Awaitable, Callable, Sequence
from types import TracebackType
from typing import Any

from websockets.asyncio.server import Server, ServerConnection, serve
from websockets.datastructures import Headers
from websockets.http11 import Request, Response

Script = Callable[[ServerConnection], Awaitable[None]]
ACCEPTED = {"message": "Authorisation accepted", "level": "INFO"}
FIXTURE_ID = "83881cfa-f186-4c34-8f2f-627e410b225d"

# The fake server's own DEBUG lines show the auth frame; keep them out of captured logs.
_server_log = logging.getLogger("tests.dde.upstream")
_server_log.setLevel(logging.WARNING)


def packet(seq: int, **action: Any) -> str:
    """A minimal valid data packet whose fixtureSeqNum is ``seq``."""
    fixture_action = {
        "actionId": str(uuid.UUID(int=seq)),
        "fixtureId": FIXTURE_ID,
        "fixtureSeqNum": seq,
        "sendType": "Confirmed",
        "sendTypeId": 5,
        **action,
    }
    return json.dumps({"version": 3, "finished": False, "fixtureAction": fixture_action})


def heartbeat() -> str:
    return json.dumps({"message": "Heartbeat sent at 2024-06-02T05:11:44Z", "level": "INFO"})


class FakeUpstream:
    """Serves connection ``n`` with ``scripts[n]`` (the last one repeats).

    The first ``statuses`` upgrades are refused with those HTTP statuses. Everything the
    client sent is kept: upgrade requests, the first frame of each connection, and when
    each connection was closed.
    """

    def __init__(
        self,
        *scripts: Script,
        statuses: Sequence[tuple[int, str]] = (),
        compression: str | None = "deflate",
    ) -> None:
        self.scripts = scripts
        self.compression = compression
        self.statuses = list(statuses)
        self.requests: list[Request] = []
        self.auth_frames: list[str | bytes] = []
        self.closed = asyncio.Event()
        self.connections = 0
        self._server: Server | None = None

    @property
    def url(self) -> str:
        assert self._server is not None
        host, port = next(iter(self._server.sockets)).getsockname()[:2]
        return f"ws://{host}:{port}"

    @property
    def headers(self) -> Headers:
        return self.requests[-1].headers

    async def __aenter__(self) -> FakeUpstream:
        self._server = await serve(
            self._handle,
            "127.0.0.1",
            0,
            process_request=self._process_request,
            ping_interval=None,
            compression=self.compression,
            logger=_server_log,
        )
        return self

    async def __aexit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        assert self._server is not None
        self._server.close()
        await self._server.wait_closed()

    def _process_request(self, connection: ServerConnection, request: Request) -> Response | None:
        self.requests.append(request)
        if self.statuses:
            status, body = self.statuses.pop(0)
            return connection.respond(status, body)
        return None

    async def _handle(self, ws: ServerConnection) -> None:
        script = self.scripts[min(self.connections, len(self.scripts) - 1)]
        self.connections += 1
        self.closed.clear()
        try:
            await script(ws)
        finally:
            self.closed.set()

    async def accept(self, ws: ServerConnection) -> None:
        """Read the auth frame and answer it as the tracking stream does (§2.3)."""
        self.auth_frames.append(await ws.recv())
        await ws.send(json.dumps(ACCEPTED))


def sends(
    upstream: FakeUpstream, *frames: str | bytes, then: str = "close", code: int = 1000
) -> Script:
    """A script: authorise, send ``frames``, then close with ``code``, abort, or wait."""

    async def script(ws: ServerConnection) -> None:
        await upstream.accept(ws)
        for frame in frames:
            await ws.send(frame)
        if then == "close":
            await ws.close(code, "scripted close")
        elif then == "abort":
            assert ws.transport is not None
            ws.transport.abort()
        else:
            await ws.wait_closed()

    return script
