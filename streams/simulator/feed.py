"""One authorised connection's stream: packets on time, heartbeats between, faults on top."""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import math
from collections.abc import Callable
from dataclasses import dataclass

from websockets.asyncio.server import ServerConnection

from streams.simulator.faults import MALFORMED_KINDS, FaultSpec, huge_frame, malformed_frame
from streams.simulator.match import Match
from streams.simulator.render import wire_timestamp
from streams.simulator.routes import StreamRequest
from streams.simulator.stats import Stats

# Yield to other connections now and then while a fast replay fills a socket.
_YIELD_EVERY = 64


def control(message: str, level: str) -> str:
    """A control frame: ``{"message": ..., "level": ...}`` (docs/dde-protocol.md §2.3, §3)."""
    return json.dumps({"message": message, "level": level}, separators=(",", ":"))


@dataclass(frozen=True)
class FeedOptions:
    """What every connection of one simulator shares."""

    pace: float
    heartbeat: float
    faults: FaultSpec
    stats: Stats
    next_malformed: Callable[[], int]
    now: Callable[[], dt.datetime]
    next_drop: Callable[[], int] = lambda: 0
    random: Callable[[], float] = lambda: 1.0  # [0, 1); 1.0 never fires a random fault
    note: Callable[[str, str], None] = lambda kind, detail: None  # the server's journal


def due_times(
    match: Match, request: StreamRequest, pace: float, now: dt.datetime, loop_now: float
) -> Callable[[int], float]:
    """Event-loop time at which packet ``i`` is due on this connection.

    A live fixture sends what is released at once, then each packet as it is
    released (``speed`` has no effect, as documented). A finished one is replayed:
    ``fast`` as quickly as the socket takes it, ``normal`` with the original
    spacing divided by the simulator's pace.
    """
    offsets = match.release_offsets
    if not match.is_finished(now):
        elapsed = (now - match.kickoff).total_seconds()
        return lambda index: loop_now + offsets[index] - elapsed
    if request.speed == "fast":
        return lambda index: -math.inf
    first = offsets[min(request.start_position, len(offsets) - 1)]
    scale = match.pace / pace
    return lambda index: loop_now + (offsets[index] - first) * scale


class Feed:
    """Sends one match on one socket from ``startPosition``; returns only on a drop fault."""

    def __init__(
        self, ws: ServerConnection, match: Match, request: StreamRequest, options: FeedOptions
    ) -> None:
        loop = asyncio.get_running_loop()
        self._ws = ws
        self._frames = match.frames
        self._start = request.start_position
        self._options = options
        self._faults = options.faults
        self._due = due_times(match, request, options.pace, options.now(), loop.time())
        self._next_heartbeat = loop.time() + options.heartbeat
        self.sent = 0

    async def run(self) -> None:
        for index in range(self._start, len(self._frames)):
            await self._wait_until(self._due(index))
            if index == self._faults.unsent:
                self._options.note("unsent", str(index))
                continue
            await self._ws.send(self._frame(index))
            self.sent += 1
            self._options.stats.packets_sent += 1
            if await self._apply_faults(index):
                return
            if self.sent % _YIELD_EVERY == 0:
                await asyncio.sleep(0)
        # The vendor does not document a close after `finished`: keep the socket
        # alive with heartbeats and let the client leave (docs/dde-protocol.md §14 q7).
        await self._wait_until(math.inf)

    def _frame(self, index: int) -> str:
        every = self._faults.huge_every
        if every and (index + 1) % every == 0:
            # By position, not per connection: the vendor re-sends the same packet, as big,
            # on every resume that starts before it.
            self._options.stats.huge_sent += 1
            return huge_frame(self._frames[index], self._faults.huge_bytes)
        return self._frames[index]

    async def _wait_until(self, deadline: float) -> None:
        """Sleep until ``deadline``, sending heartbeats when they fall due."""
        loop = asyncio.get_running_loop()
        while True:
            now = loop.time()
            if now >= self._next_heartbeat:
                stamp = wire_timestamp(self._options.now())
                await self._ws.send(control(f"Heartbeat sent at {stamp}", "INFO"))
                self._options.stats.heartbeats_sent += 1
                self._next_heartbeat = now + self._options.heartbeat
                continue
            if now >= deadline:
                return
            await asyncio.sleep(min(deadline, self._next_heartbeat) - now)

    async def _apply_faults(self, index: int) -> bool:
        """Extra frames, a silence or a drop after a packet; True when the socket is gone."""
        faults, options, count = self._faults, self._options, self.sent
        if faults.repeat and count % faults.repeat == 0:
            await self._ws.send(self._frames[index])
            options.stats.repeats_sent += 1
            options.note("repeat", str(index))
        if faults.malformed and count % faults.malformed == 0:
            kind = options.next_malformed()
            await self._ws.send(malformed_frame(kind, self._frames[index]))
            options.stats.malformed_sent += 1
            options.note("malformed", MALFORMED_KINDS[kind % len(MALFORMED_KINDS)])
        if faults.silence_after is not None and count == faults.silence_after:
            await self._silence(faults.silence_seconds)
        if faults.stall_every and options.random() * faults.stall_every < 1:
            await self._silence(faults.stall_seconds)
        if (faults.drop and count % faults.drop == 0) or (
            faults.drop_random and options.random() * faults.drop_random < 1
        ):
            await self._drop(faults.drop_code_for(options.next_drop()), index)
            return True
        return False

    async def _silence(self, seconds: float) -> None:
        """Nothing at all, not even heartbeats: the connection looks open but is dead."""
        self._options.stats.silences += 1
        self._options.note("silence", f"{seconds:g}")
        await asyncio.sleep(seconds)
        self._options.note("silence_over", "")
        self._next_heartbeat = asyncio.get_running_loop().time()

    async def _drop(self, code: int | None, index: int) -> None:
        self._options.stats.drops += 1
        self._options.note("drop", f"{code or 1006}@{index}")
        if code is None:
            # No close frame at all: the client sees an abnormal closure (1006).
            self._ws.transport.abort()
        else:
            await self._ws.close(code, "simulated drop")
