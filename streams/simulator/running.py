"""A simulator serving from a daemon thread, for synchronous tests and commands."""

from __future__ import annotations

import asyncio
import contextlib
import threading
from types import TracebackType
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from streams.simulator.server import Simulator

_START_TIMEOUT = 10.0


class RunningSimulator:
    """Handle on a simulator thread: where it listens, and how to stop it."""

    def __init__(self, simulator: Simulator, host: str) -> None:
        self.simulator = simulator
        self.host = host
        self.port = 0
        self._ready = threading.Event()
        self._error: BaseException | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stop: asyncio.Event | None = None
        self._thread: threading.Thread | None = None

    @classmethod
    def start(cls, simulator: Simulator, host: str, port: int) -> RunningSimulator:
        """Start serving and return once the port is bound; raises if binding failed."""
        running = cls(simulator, host)
        running._thread = threading.Thread(
            target=running._run, args=(port,), name="dde-simulator", daemon=True
        )
        running._thread.start()
        if not running._ready.wait(_START_TIMEOUT):
            raise RuntimeError("the DDE simulator did not start in time")
        if running._error is not None:
            raise running._error
        return running

    @property
    def ws_url(self) -> str:
        return f"ws://{self.host}:{self.port}"

    @property
    def http_url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def _run(self, port: int) -> None:
        try:
            asyncio.run(self._serve(port))
        except BaseException as exc:  # reported to the starting thread
            self._error = exc
            self._ready.set()

    async def _serve(self, port: int) -> None:
        self._loop = asyncio.get_running_loop()
        self._stop = asyncio.Event()
        async with self.simulator.serve(self.host, port) as serving:
            self.port = serving.port
            self._ready.set()
            await self._stop.wait()

    def drop_all(self) -> int:
        """Cut every open stream at once (``Simulator.drop_all``), from any thread."""
        if self._loop is None:
            return 0

        async def drop() -> int:
            return self.simulator.drop_all()

        return asyncio.run_coroutine_threadsafe(drop(), self._loop).result(10)

    def stop(self, timeout: float = 10.0) -> None:
        """Close every connection (1001) and the listening socket, then end the thread."""
        if self._loop is not None and self._stop is not None and not self._loop.is_closed():
            # The loop may finish between the check and the call.
            with contextlib.suppress(RuntimeError):
                self._loop.call_soon_threadsafe(self._stop.set)
        if self._thread is not None:
            self._thread.join(timeout)

    def __enter__(self) -> RunningSimulator:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()
