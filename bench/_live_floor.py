"""The floor for bench/live.py: a bare ``websockets`` broadcast server, nothing else.

A connection to ``/publish`` sends messages; each one is ``broadcast`` as is to every
other connection. A receiver's first message is ``{"type": "snapshot", "position": N}``
(N: the last position broadcast), so it checks positions the same way as a viewer of the
real consumer. Same defaults as daphne where they matter: no compression (daphne's
autobahn factory does not accept permessage-deflate), keepalive pings every 20 s.
Needs no Django. Runs until SIGTERM or SIGINT.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import resource
import signal

from websockets.asyncio.server import ServerConnection, broadcast, serve


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--port", type=int, required=True)
    options = parser.parse_args()
    _, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))

    receivers: set[ServerConnection] = set()
    last = -1

    async def handle(ws: ServerConnection) -> None:
        nonlocal last
        path = ws.request.path if ws.request else ""
        if path.startswith("/publish"):
            async for message in ws:
                last = int(json.loads(message)["position"])  # once per message, not per receiver
                broadcast(receivers, message)
            return
        await ws.send(json.dumps({"type": "snapshot", "position": last}))
        receivers.add(ws)
        try:
            await ws.wait_closed()
        finally:
            receivers.discard(ws)

    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, stop.set)
    async with serve(handle, "127.0.0.1", options.port, compression=None, max_size=None):
        await stop.wait()


if __name__ == "__main__":
    asyncio.run(main())
