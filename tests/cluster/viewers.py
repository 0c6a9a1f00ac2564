"""The fault suite's viewers, noting which web host served each of their connections.

A viewer is the fault suite's (``tests/faults/viewers.py``): it reconnects whenever its
socket closes, asking for the positions after the last one it has. Here each connection is
also noted with the web host HAProxy sent it to (the ``X-DDE-Web-Host`` response header),
when it opened, when its first message came and when it closed, so that a web host's
partition can be timed from the viewers' side: until each viewer it cut off is receiving
again through HAProxy.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

from websockets.asyncio.client import ClientConnection

from tests.cluster.web import SERVED_BY_HEADER
from tests.faults.viewers import Viewer, ViewerCrowd


@dataclass
class ViewerConnection:
    viewer: Viewer
    host: str  # the web host that served it
    opened: float
    position_asked: int  # the ``after`` it reconnected with
    first_message: float | None = None
    closed: float | None = None


class HostNotingCrowd(ViewerCrowd):
    def __init__(self, *args: Any, **kw: Any) -> None:
        super().__init__(*args, **kw)
        # Appended on the viewers' event loop, read by the controller's thread: appends
        # and attribute writes are atomic, and a reader sees each connection whole enough.
        self.connections: list[ViewerConnection] = []

    async def _receive(self, viewer: Viewer, ws: ClientConnection, leave_at: float) -> bool:
        assert ws.response is not None
        noted = ViewerConnection(
            viewer, ws.response.headers.get(SERVED_BY_HEADER, ""), time.monotonic(), viewer.position
        )
        self.connections.append(noted)
        receive = ws.recv

        async def noting_the_first_message(*args: Any, **kw: Any) -> Any:
            message = await receive(*args, **kw)
            if noted.first_message is None:
                noted.first_message = time.monotonic()
            return message

        # The crowd's loop reads with ws.recv(): wrapped for this connection only.
        ws.recv = noting_the_first_message  # type: ignore[method-assign]
        try:
            return await super()._receive(viewer, ws, leave_at)
        finally:
            noted.closed = time.monotonic()
