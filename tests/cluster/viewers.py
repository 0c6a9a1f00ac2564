"""The fault suite's viewers, noting which web host served each of their connections.

A viewer is the fault suite's (``tests/faults/viewers.py``): it reconnects whenever its
socket closes, asking for the positions after the last one it has. Here each connection is
also noted with the web host HAProxy sent it to (the ``X-DDE-Web-Host`` response header),
when it opened, when its first message came and when it closed, so that a web host's
partition can be timed from the viewers' side: until each viewer it cut off is receiving
again through HAProxy; and when each violation of a viewer was seen, so that the partition
is charged only with the violations made while it lasted.
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
        # Viewer number -> when each of its violations was seen (by index), so that a
        # fault is charged only with what happened while it lasted.
        self.violations_seen: dict[int, list[float]] = {}

    def violations_between(self, viewer: Viewer, start: float, end: float) -> list[str]:
        seen = self.violations_seen.get(viewer.number, [])
        return [v for v, at in zip(viewer.violations, seen, strict=False) if start <= at <= end]

    def _note_violations(self, viewer: Viewer) -> None:
        seen = self.violations_seen.setdefault(viewer.number, [])
        seen.extend([time.monotonic()] * (len(viewer.violations) - len(seen)))

    async def _receive(self, viewer: Viewer, ws: ClientConnection, leave_at: float) -> bool:
        assert ws.response is not None
        noted = ViewerConnection(
            viewer, ws.response.headers.get(SERVED_BY_HEADER, ""), time.monotonic(), viewer.position
        )
        self.connections.append(noted)
        receive = ws.recv

        async def noting_the_first_message(*args: Any, **kw: Any) -> Any:
            # Called again as soon as the last message is applied: what it violated is new.
            self._note_violations(viewer)
            message = await receive(*args, **kw)
            if noted.first_message is None:
                noted.first_message = time.monotonic()
            return message

        # The crowd's loop reads with ws.recv(): wrapped for this connection only.
        ws.recv = noting_the_first_message  # type: ignore[method-assign]
        try:
            return await super()._receive(viewer, ws, leave_at)
        finally:
            self._note_violations(viewer)
            noted.closed = time.monotonic()
