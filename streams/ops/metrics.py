"""Metrics recorded by every process and summed cluster-wide in Redis.

Listener workers and daphne processes run on many machines, so a per-process registry
would show one process's share. Each process adds to its counters and histograms in
memory (recording never does I/O, so it is safe on the listeners' event loop) and a
background thread adds the pending amounts to Redis hashes every second. ``/metrics`` on
any web process then reads the totals of the whole cluster. A process killed outright
loses at most its last second of increments.
"""

from __future__ import annotations

import atexit
import bisect
import os
import socket
import threading
import time
from collections import Counter as Tally
from collections.abc import Mapping
from dataclasses import dataclass

import redis
import structlog
from django.conf import settings

log = structlog.get_logger(__name__)

FLUSH_SECONDS = 1.0
# A process's viewer count outlives it by this long in Redis (it is rewritten every flush).
VIEWERS_TTL_SECONDS = 15

LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)
LAG_BUCKETS = (0.1, 0.25, 0.5, 1.0, 2.0, 5.0, 10.0, 30.0, 60.0, 300.0)


def key_prefix() -> str:
    # The channel-layer prefix keeps deployments (and test runs) sharing a Redis apart.
    return f"{settings.CHANNEL_LAYER_PREFIX}:metrics"


@dataclass(frozen=True)
class Counter:
    name: str
    help: str
    label: str | None = None

    @property
    def key(self) -> str:
        return f"{key_prefix()}:counter:{self.name}"

    def inc(self, amount: int = 1, *, label: str = "") -> None:
        if amount:
            _recorder.add((self.key, label), amount)


@dataclass(frozen=True)
class Histogram:
    name: str
    help: str
    buckets: tuple[float, ...]

    @property
    def key(self) -> str:
        return f"{key_prefix()}:histogram:{self.name}"

    def observe(self, *values: float) -> None:
        """Record values; a listener records a whole transaction's packets in one call."""
        if not values:
            return
        key = self.key
        counts: Tally[tuple[str, str]] = Tally()
        for value in values:
            index = bisect.bisect_left(self.buckets, value)
            bucket = repr(self.buckets[index]) if index < len(self.buckets) else "+Inf"
            counts[key, f"bucket:{bucket}"] += 1
        counts[key, "count"] = len(values)
        _recorder.add_all(counts, {(key, "sum"): sum(values)})


PACKETS_STORED = Counter("dde_packets_stored", "Data packets stored (each a new position).")
REJECTED_FRAMES = Counter("dde_rejected_frames", "Upstream frames recorded as rejected.")
RECONNECTS = Counter("dde_listener_reconnects", "Upstream connections lost and retried.")
AUTH_FAILURES = Counter("dde_auth_failures", "Times the feed rejected the DDE token.")
API_REQUESTS = Counter("dde_api_requests", "REST API responses by status code.", "status")
LISTENER_LAG = Histogram(
    "dde_listener_lag_seconds",
    "Commit time minus the action's own timestamp, per stored packet.",
    LAG_BUCKETS,
)
BROADCAST_LATENCY = Histogram(
    "dde_broadcast_latency_seconds",
    "Packet received from the feed to its change published to viewers.",
    LATENCY_BUCKETS,
)
COUNTERS = (PACKETS_STORED, REJECTED_FRAMES, RECONNECTS, AUTH_FAILURES, API_REQUESTS)
HISTOGRAMS = (LISTENER_LAG, BROADCAST_LATENCY)


class _Recorder:
    """Pending increments of this process, flushed to Redis by a daemon thread."""

    def __init__(self) -> None:
        self._mutex = threading.Lock()
        self._ints: Tally[tuple[str, str]] = Tally()
        self._floats: dict[tuple[str, str], float] = {}
        self.viewers = 0
        self._has_viewers = False
        self._thread: threading.Thread | None = None
        self._client: redis.Redis | None = None

    def add(self, field: tuple[str, str], amount: int) -> None:
        with self._mutex:
            self._ints[field] += amount
            self._start()

    def add_all(
        self, ints: Mapping[tuple[str, str], int], floats: Mapping[tuple[str, str], float]
    ) -> None:
        with self._mutex:
            self._ints.update(ints)
            for field, amount in floats.items():
                self._floats[field] = self._floats.get(field, 0.0) + amount
            self._start()

    def viewer_joined(self) -> None:
        with self._mutex:
            self.viewers += 1
            self._has_viewers = True
            self._start()

    def viewer_left(self) -> None:
        with self._mutex:
            self.viewers -= 1

    def flush(self) -> None:
        """Add what is pending to Redis; on failure keep it for the next flush."""
        with self._mutex:
            ints, self._ints = self._ints, Tally()
            floats, self._floats = self._floats, {}
            viewers = self.viewers if self._has_viewers else None
        if not ints and not floats and viewers is None:
            return
        try:
            pipe = self._redis().pipeline(transaction=False)
            for (key, field), amount in ints.items():
                pipe.hincrby(key, field, amount)
            for (key, field), value in floats.items():
                pipe.hincrbyfloat(key, field, value)
            if viewers is not None:
                pipe.set(viewers_key(process_name()), viewers, ex=VIEWERS_TTL_SECONDS)
            pipe.execute()
        except redis.RedisError as exc:
            log.warning("metrics.flush_failed", error=type(exc).__name__)
            with self._mutex:
                self._ints.update(ints)
                for pending, value in floats.items():
                    self._floats[pending] = self._floats.get(pending, 0.0) + value

    def reset(self) -> None:
        """Forget pending amounts and viewers (between tests)."""
        with self._mutex:
            self._ints.clear()
            self._floats.clear()
            self.viewers, self._has_viewers = 0, False

    def after_fork(self) -> None:
        # A forked child has none of its parent's threads, and must not share its sockets.
        self.reset()
        self._thread, self._client = None, None

    def _start(self) -> None:
        if self._thread is None:
            self._thread = threading.Thread(target=self._run, name="metrics-flush", daemon=True)
            self._thread.start()

    def _run(self) -> None:
        while True:
            time.sleep(FLUSH_SECONDS)
            self.flush()

    def _redis(self) -> redis.Redis:
        if self._client is None:
            self._client = redis.Redis.from_url(
                settings.REDIS_URL, socket_connect_timeout=2, socket_timeout=2
            )
        return self._client


def process_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def viewers_key(process: str) -> str:
    return f"{key_prefix()}:viewers:{process}"


_recorder = _Recorder()
viewer_joined = _recorder.viewer_joined
viewer_left = _recorder.viewer_left
flush = _recorder.flush
reset = _recorder.reset
atexit.register(_recorder.flush)
os.register_at_fork(after_in_child=_recorder.after_fork)
