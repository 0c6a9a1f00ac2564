"""Websocket viewers of the match centre that leave and come back at random.

Each viewer applies messages as the browser does (docs/live-protocol.md): a snapshot
replaces the fixture and the actions it lists, a change must be the next position. It
reconnects with ``after`` = the last position it has, and records every violation of the
contract: a change that skips a position (a gap) or repeats one (a duplicate), or a
snapshot that goes back.
"""

from __future__ import annotations

import asyncio
import json
import math
import random
import threading
import time
from dataclasses import dataclass, field
from typing import Any

from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed, InvalidHandshake


@dataclass
class Viewer:
    fixture_id: str
    number: int
    steady: bool = False  # never leaves by itself: it must get everything live
    position: int = -1
    fixture: dict[str, Any] | None = None
    actions: dict[str, dict[str, Any]] = field(default_factory=dict)
    violations: list[str] = field(default_factory=list)
    messages: int = 0
    snapshots: int = 0
    changes: int = 0
    disconnects: int = 0  # ours, at random: the fault
    dropped_by_server: int = 0  # the server (or a restart) closed it
    connects: int = 0

    def apply(self, message: dict[str, Any]) -> None:
        self.messages += 1
        if message["type"] == "feed":  # no position: the fixture's feed state, replaced
            if self.fixture is not None:
                self.fixture = {**self.fixture, "feed": message["feed"]}
            return
        if message["type"] == "reset":  # the log is stored again from position 0
            self.actions, self.position = {}, -1
            return
        position = int(message["position"])
        if message["type"] == "snapshot":
            self.snapshots += 1
            if position < self.position:
                self.violations.append(f"snapshot at {position} after {self.position}")
            self.fixture = message["fixture"]
            for action in message["actions"]:
                self.actions[action["action_id"]] = action
            # A snapshot in parts is complete, and the position reached, at its last part.
            if message.get("part", 1) == message.get("parts", 1):
                self.position = max(self.position, position)
        elif message["type"] == "change":
            self.changes += 1
            if position <= self.position:
                self.violations.append(f"duplicate {position} (had {self.position})")
                return
            if position > self.position + 1:
                self.violations.append(f"gap {self.position + 1}..{position - 1}")
            self.fixture = message["fixture"]
            self.actions[message["action"]["action_id"]] = message["action"]
            # Rows the change redraws, as a browser applies them (docs/live-protocol.md).
            for other in message.get("related", []):
                self.actions[other["action_id"]] = other
            self.position = position
        else:
            self.violations.append(f"unexpected message type {message['type']!r}")


class ViewerCrowd:
    """All viewers on one event loop in a thread of the test process."""

    def __init__(self, base_url: str, *, seed: int, leave_after: tuple[float, float]) -> None:
        self.base_url = base_url  # ws://127.0.0.1:PORT
        self.origin = base_url.replace("ws://", "http://")
        self.viewers: list[Viewer] = []
        self.final_positions: dict[str, int] = {}
        self._random = random.Random(seed)
        self._leave_after = leave_after
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, name="viewers", daemon=True)
        self._tasks: list[asyncio.Future[None]] = []
        self._thread.start()

    def watch(self, fixture_id: str, count: int, *, steady: int = 0) -> None:
        for index in range(count + steady):
            viewer = Viewer(fixture_id, len(self.viewers), steady=index >= count)
            self.viewers.append(viewer)
            self._tasks.append(asyncio.run_coroutine_threadsafe(self._follow(viewer), self._loop))

    def finish(self, final_positions: dict[str, int], timeout: float) -> list[Viewer]:
        """Stop leaving at random; wait until each viewer has its fixture's last position
        (live, without reconnecting), then close. Returns the viewers that did not."""
        self._loop.call_soon_threadsafe(self.final_positions.update, final_positions)
        deadline = time.monotonic() + timeout
        for task in self._tasks:
            try:
                task.result(timeout=max(0.1, deadline - time.monotonic()))
            except TimeoutError:
                task.cancel()
        return [v for v in self.viewers if v.position != final_positions.get(v.fixture_id)]

    def fresh_snapshot(self, fixture_id: str) -> dict[str, Any]:
        """What a page loaded now starts from: the snapshot after position -1."""
        return asyncio.run_coroutine_threadsafe(self._snapshot(fixture_id), self._loop).result(30)

    def stop(self) -> None:
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(10)

    def _url(self, fixture_id: str, after: int) -> str:
        return f"{self.base_url}/ws/fixtures/{fixture_id}/?after={after}"

    async def _open(self, fixture_id: str, after: int) -> ClientConnection:
        return await connect(
            self._url(fixture_id, after),
            origin=self.origin,  # type: ignore[arg-type]  # Origin is a NewType of str
            open_timeout=20,
            close_timeout=2,
            max_size=None,
        )

    async def _snapshot(self, fixture_id: str) -> dict[str, Any]:
        """The whole snapshot: its parts joined when it comes in several."""
        async with await self._open(fixture_id, -1) as ws:
            message: dict[str, Any] = {"type": None}
            while message["type"] != "snapshot":  # a feed message may come first
                message = json.loads(await asyncio.wait_for(ws.recv(), 30))
            while message.get("part", 1) < message.get("parts", 1):
                part = json.loads(await asyncio.wait_for(ws.recv(), 30))
                message = {**part, "actions": message["actions"] + part["actions"]}
            return message

    async def _follow(self, viewer: Viewer) -> None:
        while not self._done(viewer):
            stay = math.inf if viewer.steady else self._random.uniform(*self._leave_after)
            try:
                ws = await self._open(viewer.fixture_id, viewer.position)
            except (OSError, InvalidHandshake, TimeoutError):
                viewer.dropped_by_server += 1
                await asyncio.sleep(0.5)
                continue
            viewer.connects += 1
            if await self._receive(viewer, ws, time.monotonic() + stay):
                viewer.disconnects += 1
            await ws.close()

    def _done(self, viewer: Viewer) -> bool:
        final = self.final_positions.get(viewer.fixture_id)
        return final is not None and viewer.position >= final

    async def _receive(self, viewer: Viewer, ws: ClientConnection, leave_at: float) -> bool:
        """Apply messages until it is time to leave (True), or the server closed (False).
        Once the match is over a viewer stays until the last position arrives live."""
        while not self._done(viewer):
            over = viewer.fixture_id in self.final_positions
            if not over and time.monotonic() >= leave_at:
                return True
            try:
                text = await asyncio.wait_for(ws.recv(), 0.5)
            except TimeoutError:
                continue
            except ConnectionClosed:
                viewer.dropped_by_server += 1
                return False
            viewer.apply(json.loads(text))
        return False
