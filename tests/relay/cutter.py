"""A websocket proxy that cuts every connection after N data packets, without a close frame.

It stands between a vendor client and the relay, so that the relay's own code is the one
that runs in production: the client sees an abnormal closure (1006), reconnects and
resumes with ``startPosition``.
"""

from __future__ import annotations

import asyncio
import contextlib
import threading

from websockets.asyncio.client import ClientConnection, connect
from websockets.asyncio.server import ServerConnection, serve
from websockets.exceptions import ConnectionClosed


class CuttingProxy:
    def __init__(self, upstream: str, every: int) -> None:
        self.upstream = upstream
        self.every = every
        self.cuts = 0
        self.connections = 0
        self.port = 0
        self._ready = threading.Event()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stop: asyncio.Event | None = None
        self._thread = threading.Thread(target=lambda: asyncio.run(self._serve()), daemon=True)

    @property
    def ws_url(self) -> str:
        return f"ws://127.0.0.1:{self.port}"

    def start(self) -> CuttingProxy:
        self._thread.start()
        if not self._ready.wait(10):
            raise RuntimeError("the proxy did not start")
        return self

    def stop(self) -> None:
        if self._loop is not None and self._stop is not None:
            with contextlib.suppress(RuntimeError):
                self._loop.call_soon_threadsafe(self._stop.set)
        self._thread.join(10)

    async def _serve(self) -> None:
        self._loop, self._stop = asyncio.get_running_loop(), asyncio.Event()
        async with serve(self._handle, "127.0.0.1", 0, compression=None, max_size=None) as server:
            self.port = next(iter(server.sockets)).getsockname()[1]
            self._ready.set()
            await self._stop.wait()

    async def _handle(self, client: ServerConnection) -> None:
        assert client.request is not None
        self.connections += 1
        headers = {
            name: value
            for name in ("Accept", "Authorization")
            if (value := client.request.headers.get(name)) is not None
        }
        async with connect(
            self.upstream + client.request.path,
            additional_headers=headers,
            compression=None,
            max_size=None,
            ping_interval=None,
        ) as upstream:
            upward = asyncio.create_task(_forward(client, upstream))
            try:
                await self._downward(upstream, client)
            finally:
                upward.cancel()
                await asyncio.gather(upward, return_exceptions=True)

    async def _downward(self, upstream: ClientConnection, client: ServerConnection) -> None:
        packets = 0
        try:
            async for frame in upstream:
                await client.send(frame)
                if isinstance(frame, str) and '"fixtureAction"' in frame:
                    packets += 1
                    if packets == self.every:
                        self.cuts += 1
                        client.transport.abort()  # no close frame: 1006 for the client
                        return
        except ConnectionClosed:
            return
        await client.close(upstream.close_code or 1000, upstream.close_reason or "")


async def _forward(client: ServerConnection, upstream: ClientConnection) -> None:
    with contextlib.suppress(ConnectionClosed):
        async for frame in client:
            await upstream.send(frame)
