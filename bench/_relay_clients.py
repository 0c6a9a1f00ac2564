"""Vendor clients for bench/relay.py: one asyncio process holding many Live Actions sockets.

Not a benchmark on its own. bench/relay.py starts one or more of these, each with
``--count`` clients of one websocket URL (the relay's, or the simulator's for the floor),
and talks to it over stdin/stdout as bench/_live_viewers.py does:

- each client sends the ``Accept`` header and ``{"authToken": ...}``, as the vendor's
  clients do, and waits for the answer; the process prints ``ready <authorised> <failed>``
  once every client is authorised or has given up;
- it then reads ``measure <start> <end>`` (Unix times): packets sent in that window (by
  their ``fixtureAction.timestamp``) are counted and timed; ``--grace`` seconds after
  ``end`` it closes every connection, writes its figures as JSON to ``--out`` and prints
  ``done``.

Every client connects with ``startPosition=0``, so its k-th data packet is the log's
position k. It keeps a running CRC-32 of the bytes of every data frame it received; the
bench compares it with the same CRC over the stored log's first n packets, which proves
each client got a prefix of the log byte for byte (no gap, duplicate or change). Needs no
Django.
"""

from __future__ import annotations

import asyncio
import collections
import datetime as dt
import json
import math
import time
import zlib

from _processes import raise_nofile_limit
from _receivers import close_all, measure_window, receiver_parser, wait_until_ready, write_figures
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed

ACCEPT = "application/vnd.imggaming.dde.api+json;version=1"
CONNECT_ATTEMPTS = 3


def epoch_of(stamp: str) -> float:
    return dt.datetime.fromisoformat(stamp.replace("Z", "+00:00")).timestamp()


class Figures:
    """What all clients of this process saw; one event loop, so no locks."""

    def __init__(self, expected: int) -> None:
        self.start = math.inf
        self.end = -math.inf
        self.stopping = False
        self.expected = expected
        self.authorised = 0
        self.failed = 0
        self.connect_errors: collections.Counter[str] = collections.Counter()
        self.latencies: list[float] = []
        self.first: dict[int, float] = {}  # position -> earliest receipt (Unix time)
        self.last: dict[int, float] = {}  # position -> latest receipt
        self.deliveries = 0
        self.heartbeats = 0
        self.closed_early: collections.Counter[str] = collections.Counter()
        self.ready = asyncio.Event()

    def settled(self) -> None:
        if self.authorised + self.failed >= self.expected:
            self.ready.set()


class Client:
    def __init__(self, figures: Figures) -> None:
        self.figures = figures
        self.received = 0
        self.crc = 0
        self.ws: ClientConnection | None = None

    def on_frame(self, frame: str | bytes, received: float) -> None:
        f = self.figures
        text = frame if isinstance(frame, str) else frame.decode()
        data = json.loads(text)
        action = data.get("fixtureAction")
        if action is None:
            f.heartbeats += 1
            return
        position = self.received
        self.received += 1
        self.crc = zlib.crc32(text.encode(), self.crc)
        if received < f.first.get(position, math.inf):
            f.first[position] = received
        if received > f.last.get(position, -math.inf):
            f.last[position] = received
        stamp = action.get("timestamp")
        if not stamp:
            return
        sent = epoch_of(stamp)
        if f.start <= sent <= f.end:
            f.deliveries += 1
            f.latencies.append(round((received - sent) * 1000, 3))

    async def run(self, url: str, token: str, gate: asyncio.Semaphore) -> None:
        f = self.figures
        for attempt in range(CONNECT_ATTEMPTS):
            try:
                async with gate:
                    ws = await connect(
                        url,
                        additional_headers={"Accept": ACCEPT},
                        ping_interval=None,
                        max_size=None,
                        open_timeout=30,
                        close_timeout=3,
                        compression=None,
                    )
                    await ws.send(json.dumps({"authToken": token}))
                    answer = json.loads(await asyncio.wait_for(ws.recv(), 30))
                if answer.get("level") == "ERROR":
                    raise RuntimeError(answer.get("message"))
                self.ws = ws
                break
            except Exception as exc:
                f.connect_errors[type(exc).__name__] += 1
                await asyncio.sleep(0.5 * (attempt + 1))
        if self.ws is None:
            f.failed += 1
            f.settled()
            return
        f.authorised += 1
        f.settled()
        try:
            async for frame in self.ws:
                self.on_frame(frame, time.time())
        except ConnectionClosed:
            pass
        if not f.stopping:
            f.closed_early[str(self.ws.close_code)] += 1


async def main() -> None:
    parser = receiver_parser(__doc__)
    parser.add_argument("--token", required=True)
    options = parser.parse_args()
    raise_nofile_limit()

    figures = Figures(options.count)
    gate = asyncio.Semaphore(options.concurrency)
    clients = [Client(figures) for _ in range(options.count)]
    tasks = [asyncio.create_task(c.run(options.url, options.token, gate)) for c in clients]
    ramp = await wait_until_ready(figures.ready, options.ready_timeout)
    print(f"ready {figures.authorised} {options.count - figures.authorised}", flush=True)

    def begin(start: float, end: float) -> None:
        figures.start, figures.end = start, end

    await measure_window(options.wait_timeout, options.grace, begin)
    figures.stopping = True
    open_at_end = await close_all((c.ws for c in clients), tasks)
    write_figures(
        options.out,
        {
            "count": options.count,
            "authorised": figures.authorised,
            "failed": figures.failed,
            "connect_errors": dict(figures.connect_errors),
            "ramp_seconds": ramp,
            "latencies_ms": figures.latencies,
            "first": {str(k): v for k, v in figures.first.items()},
            "last": {str(k): v for k, v in figures.last.items()},
            "deliveries": figures.deliveries,
            "heartbeats": figures.heartbeats,
            "closed_early": dict(figures.closed_early),
            "open_at_end": open_at_end,
            "received": [(c.received, c.crc) for c in clients if c.ws is not None],
        },
    )


if __name__ == "__main__":
    asyncio.run(main())
