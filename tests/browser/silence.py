"""A TCP proxy in front of the simulator that can go silent: no close, no heartbeat, no
answer to a new connection, as an upstream that died without a word would be.

``silence()``: bytes from upstream are dropped and new connections get nothing at all;
``resume()``: the connections opened while silent are cut (their handshake never
finished), and every connection after that is proxied again.
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
from urllib.parse import urlsplit


class SilentProxy:
    def __init__(self, upstream_ws_url: str) -> None:
        parts = urlsplit(upstream_ws_url)
        self.upstream = (parts.hostname or "127.0.0.1", parts.port or 80)
        self.silent = False
        self.port = 0
        self._held: list[asyncio.StreamWriter] = []
        self._ready = threading.Event()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stop: asyncio.Event | None = None
        self._thread = threading.Thread(target=lambda: asyncio.run(self._serve()), daemon=True)

    @property
    def ws_url(self) -> str:
        return f"ws://127.0.0.1:{self.port}"

    def start(self) -> SilentProxy:
        self._thread.start()
        if not self._ready.wait(10):
            raise RuntimeError("the proxy did not start")
        return self

    def silence(self) -> None:
        self.silent = True

    def resume(self) -> None:
        assert self._loop is not None
        asyncio.run_coroutine_threadsafe(self._resume(), self._loop).result(10)

    def stop(self) -> None:
        if self._loop is not None and self._stop is not None:
            with contextlib.suppress(RuntimeError):
                self._loop.call_soon_threadsafe(self._stop.set)
        self._thread.join(10)

    async def _resume(self) -> None:
        self.silent = False
        held, self._held = self._held, []
        for writer in held:
            writer.transport.abort()

    async def _serve(self) -> None:
        self._loop, self._stop = asyncio.get_running_loop(), asyncio.Event()
        server = await asyncio.start_server(self._handle, "127.0.0.1", 0)
        self.port = server.sockets[0].getsockname()[1]
        self._ready.set()
        async with server:
            await self._stop.wait()

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        if self.silent:
            self._held.append(writer)  # accepted, and never answered
            return
        try:
            up_reader, up_writer = await asyncio.open_connection(*self.upstream)
        except OSError:
            writer.transport.abort()
            return
        await asyncio.gather(
            self._pump(reader, up_writer, downward=False),
            self._pump(up_reader, writer, downward=True),
            return_exceptions=True,
        )

    async def _pump(
        self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter, *, downward: bool
    ) -> None:
        try:
            while chunk := await reader.read(65536):
                if self.silent:
                    continue  # gone quiet: nothing reaches the listener, nothing is closed
                writer.write(chunk)
                await writer.drain()
        finally:
            writer.transport.abort()
