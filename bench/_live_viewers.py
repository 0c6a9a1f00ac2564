"""Websocket viewers for bench/live.py: one asyncio process holding many connections.

Not a benchmark on its own. bench/live.py starts one or more of these, each with
``--count`` viewers of one URL, and talks to it over stdin/stdout:

- it prints ``ready <connected> <failed>`` once every viewer has its first message (the
  snapshot) or has given up connecting;
- it then reads ``measure <start> <end>`` (Unix times): changes sent in that window
  (by their ``action.timestamp``) are counted and timed; ``--grace`` seconds after ``end``
  it closes every connection, writes its figures as JSON to ``--out`` and prints ``done``.

Latency of a change = wall-clock time when the viewer got it - its ``action.timestamp``.
Every viewer checks its positions: after its first message (a snapshot), each change must
be the previous position + 1. A later snapshot (the server catching a viewer up) moves the
position on and is counted as a resync, not as a gap. Needs no Django.
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
import datetime as dt
import json
import math
import random
import time
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from _processes import raise_nofile_limit
from _receivers import close_all, measure_window, receiver_parser, wait_until_ready, write_figures
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed, InvalidStatus
from websockets.typing import Origin

CONNECT_ATTEMPTS = 3


def epoch_of(stamp: str) -> float:
    return dt.datetime.fromisoformat(stamp.replace("Z", "+00:00")).timestamp()


class Figures:
    """What all viewers of this process saw; one event loop, so no locks."""

    def __init__(self, record_texts: int) -> None:
        self.start = math.inf
        self.end = -math.inf
        self.stopping = False
        self.connected = 0
        self.failed = 0
        self.connect_errors: collections.Counter[str] = collections.Counter()
        self.snapshotted = 0
        self.latencies: list[float] = []
        self.first_by_position: dict[int, float] = {}
        self.deliveries = 0
        self.messages = 0
        self.feed_states = 0
        self.untimed = 0
        self.gaps = 0
        self.duplicates = 0
        self.viewers_with_gaps = 0
        self.viewers_with_duplicates = 0
        self.resyncs = 0
        self.before_snapshot = 0
        self.closed_early: collections.Counter[str] = collections.Counter()
        self.record_texts = record_texts
        self.texts: list[tuple[float, str]] = []
        self.open_at_end = 0
        self.ready = asyncio.Event()
        self.expected = 0
        # --reconnect: seconds from losing the connection to the catch-up snapshot, and
        # what the attempts before it met (HTTP statuses, errors by type).
        self.resumes: list[float] = []
        self.refused_statuses: collections.Counter[str] = collections.Counter()
        self.reconnect_errors: collections.Counter[str] = collections.Counter()

    def settled(self) -> None:
        if self.snapshotted + self.failed >= self.expected:
            self.ready.set()


class Viewer:
    def __init__(self, index: int, figures: Figures) -> None:
        self.index = index
        self.figures = figures
        self.last: int | None = None
        self.gaps = 0
        self.duplicates = 0
        self.ws: ClientConnection | None = None
        self.lost_at: float | None = None  # while reconnecting

    def on_message(self, message: str | bytes, received: float) -> None:
        f = self.figures
        f.messages += 1
        data = json.loads(message)
        if self.lost_at is not None:  # the first message after a reconnect: resumed
            f.resumes.append(received - self.lost_at)
            self.lost_at = None
        if data.get("type") == "feed":  # the feed's state: no position (docs/live-protocol.md)
            f.feed_states += 1
            return
        position = int(data["position"])
        if data.get("type") == "snapshot":
            if self.last is None:
                self.last = position
                f.snapshotted += 1
                f.settled()
            elif position > self.last:
                f.resyncs += 1
                self.last = position
            return
        if self.last is None:
            f.before_snapshot += 1
            self.last = position
            return
        if position <= self.last:
            self.duplicates += 1
            f.duplicates += 1
            if self.duplicates == 1:
                f.viewers_with_duplicates += 1
            return
        if position > self.last + 1:
            if self.gaps == 0:
                f.viewers_with_gaps += 1
            self.gaps += position - self.last - 1
            f.gaps += position - self.last - 1
        self.last = position
        stamp = (data.get("action") or {}).get("timestamp")
        if not stamp:  # cannot be timed: counted if received in the window
            if f.start <= received <= f.end:
                f.deliveries += 1
                f.untimed += 1
            return
        sent = epoch_of(stamp)
        if not f.start <= sent <= f.end:
            return
        f.deliveries += 1
        latency = (received - sent) * 1000
        f.latencies.append(round(latency, 3))
        if latency < f.first_by_position.get(position, math.inf):
            f.first_by_position[position] = latency
        if self.index == 0 and len(f.texts) < f.record_texts:
            text = message if isinstance(message, str) else message.decode()
            f.texts.append((received, text))

    async def run(
        self, url: str, origin: str, gate: asyncio.Semaphore, reconnect: bool = False
    ) -> None:
        f = self.figures
        for attempt in range(CONNECT_ATTEMPTS):
            try:
                async with gate:
                    self.ws = await self.connect(url, origin)
                break
            except Exception as exc:
                f.connect_errors[type(exc).__name__] += 1
                await asyncio.sleep(0.5 * (attempt + 1))
        if self.ws is None:
            f.failed += 1
            f.settled()
            return
        f.connected += 1
        while True:
            with contextlib.suppress(ConnectionClosed):
                async for message in self.ws:
                    self.on_message(message, time.time())
            if f.stopping:
                return
            code = self.ws.close_code
            f.closed_early[str(code)] += 1
            if self.last is None:  # never got its snapshot: do not hold the others up
                f.failed += 1
                f.settled()
                return
            if not reconnect:
                return
            self.lost_at = time.time()
            self.ws = await self.resume(url, origin)

    async def connect(self, url: str, origin: str) -> ClientConnection:
        return await connect(
            url,
            origin=Origin(origin),
            # Browsers send no pings; the server's pings are answered.
            ping_interval=None,
            max_size=None,
            open_timeout=30,
            close_timeout=3,
        )

    async def resume(self, url: str, origin: str) -> ClientConnection:
        """Reconnect from the last position seen, as the match centre does
        (static/streams/socket.js): after 0.5 s, then doubling up to 15 s, ±20 % jitter."""
        f = self.figures
        attempts = 0
        while True:
            await asyncio.sleep(min(15.0, 0.5 * 2**attempts) * random.uniform(0.8, 1.2))
            attempts += 1
            try:
                return await self.connect(with_after(url, self.last), origin)
            except InvalidStatus as exc:
                f.refused_statuses[str(exc.response.status_code)] += 1
            except Exception as exc:
                f.reconnect_errors[type(exc).__name__] += 1


def with_after(url: str, position: int | None) -> str:
    """``url`` asking for what follows ``position``."""
    parts = urlsplit(url)
    query = [(k, v) for k, v in parse_qsl(parts.query) if k != "after"]
    query.append(("after", str(-1 if position is None else position)))
    return urlunsplit(parts._replace(query=urlencode(query)))


async def main() -> None:
    parser = receiver_parser(__doc__)
    parser.add_argument("--origin", required=True)
    parser.add_argument("--record-texts", type=int, default=0)
    parser.add_argument(
        "--reconnect", action="store_true", help="reconnect from the last position when closed"
    )
    options = parser.parse_args()
    raise_nofile_limit()

    figures = Figures(options.record_texts)
    figures.expected = options.count
    gate = asyncio.Semaphore(options.concurrency)
    viewers = [Viewer(i, figures) for i in range(options.count)]
    tasks = [
        asyncio.create_task(v.run(options.url, options.origin, gate, options.reconnect))
        for v in viewers
    ]
    if options.count == 0:
        figures.ready.set()
    ramp = await wait_until_ready(figures.ready, options.ready_timeout)
    print(f"ready {figures.snapshotted} {options.count - figures.snapshotted}", flush=True)

    def begin(start: float, end: float) -> None:
        figures.start, figures.end = start, end

    await measure_window(options.wait_timeout, options.grace, begin)
    figures.stopping = True
    figures.open_at_end = await close_all((v.ws for v in viewers), tasks)
    write_figures(
        options.out,
        {
            "count": options.count,
            "connected": figures.connected,
            "snapshotted": figures.snapshotted,
            "failed": figures.failed,
            "connect_errors": dict(figures.connect_errors),
            "ramp_seconds": ramp,
            "latencies_ms": figures.latencies,
            "first_by_position": {str(k): v for k, v in figures.first_by_position.items()},
            "deliveries": figures.deliveries,
            "messages": figures.messages,
            "feed_states": figures.feed_states,
            "untimed": figures.untimed,
            "gaps": figures.gaps,
            "duplicates": figures.duplicates,
            "viewers_with_gaps": figures.viewers_with_gaps,
            "viewers_with_duplicates": figures.viewers_with_duplicates,
            "resyncs": figures.resyncs,
            "before_snapshot": figures.before_snapshot,
            "closed_early": dict(figures.closed_early),
            "open_at_end": figures.open_at_end,
            "texts": figures.texts,
            "resumes": figures.resumes,
            "still_reconnecting": sum(1 for v in viewers if v.lost_at is not None),
            "refused_statuses": dict(figures.refused_statuses),
            "reconnect_errors": dict(figures.reconnect_errors),
        },
    )


if __name__ == "__main__":
    asyncio.run(main())
