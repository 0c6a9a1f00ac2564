"""One event loop per process for every listener in it, and a shared pool of store threads.

A worker follows hundreds of fixtures. With a loop per listener, every heartbeat and
packet woke one of hundreds of threads, each waiting its turn for the GIL; one loop
handles all their sockets in turn, and a few store threads do the database work, so a
packet waits for its own transaction, not for the other listeners' threads.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Coroutine
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

from django.conf import settings

T = TypeVar("T")


class ListenerLoop:
    def __init__(self, store_threads: int) -> None:
        self.loop = asyncio.new_event_loop()
        self.store_pool = ThreadPoolExecutor(store_threads, thread_name_prefix="listener-store")
        self._thread = threading.Thread(target=self.loop.run_forever, name="listeners", daemon=True)
        self._thread.start()

    def run(self, coroutine: Coroutine[Any, Any, T]) -> T:
        """Run a coroutine on the listeners' loop and wait for its result in the calling thread."""
        return asyncio.run_coroutine_threadsafe(coroutine, self.loop).result()


_loop: ListenerLoop | None = None
_loop_mutex = threading.Lock()


def listener_loop() -> ListenerLoop:
    """This process's listener loop, started on first use."""
    global _loop
    with _loop_mutex:
        if _loop is None:
            _loop = ListenerLoop(settings.LISTENER_STORE_THREADS)
        return _loop
