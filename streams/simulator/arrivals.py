"""When requests reached the simulator: every REST request and websocket upgrade, for tests
that check a client's rate limit where the vendor would count it."""

from __future__ import annotations

import threading
import time


class Arrivals:
    """Monotonic arrival times (seconds); written by the server, read from any thread."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._times: list[float] = []

    def note(self) -> None:
        with self._lock:
            self._times.append(time.monotonic())

    def times(self) -> list[float]:
        with self._lock:
            return list(self._times)

    def busiest_window(self, seconds: float = 1.0) -> int:
        """The most arrivals in any window of ``seconds`` (half-open, ``[t, t + seconds)``)."""
        times = sorted(self.times())
        most, start = 0, 0
        for end, moment in enumerate(times):
            while moment - times[start] >= seconds:
                start += 1
            most = max(most, end - start + 1)
        return most
