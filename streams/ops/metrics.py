"""Metrics recorded by every process and summed cluster-wide in Redis.

Listener workers and web processes run on many machines, so a per-process registry
would show one process's share (``docs/operations.md`` says why we do not scrape each
process). Each process records into prometheus_client's own ``Counter``, ``Histogram``
and ``Gauge`` objects, kept out of any registry: recording is an in-memory add under the
library's lock, never I/O, so it is safe on the listeners' event loop. A background
thread reads those objects through their ``collect()`` every second and adds what grew
since its last successful flush to Redis hashes; ``/metrics`` on any web process then
reads the totals of the whole cluster (``streams.ops.exposition``). A process killed
outright loses at most its last second of increments.

The hashes hold, per histogram, the count of each bucket on its own (``bucket:<le>``,
not cumulative), ``count`` and ``sum``; per counter, one field per label value (``""``
without a label). Integers are added with HINCRBY, so processes on any version of this
module can add to the same totals during a rolling deploy.
"""

from __future__ import annotations

import atexit
import os
import socket
import threading
import time
from collections.abc import Callable, Iterator

import prometheus_client
import redis
import structlog
from django.conf import settings
from prometheus_client.utils import floatToGoString

from streams.redis_client import redis_client

log = structlog.get_logger(__name__)

FLUSH_SECONDS = 1.0
# A process's viewer count outlives it by this long in Redis (it is rewritten every flush).
VIEWERS_TTL_SECONDS = 15
# A fixture's last broadcast lag outlives its last publication by this long in Redis.
FIXTURE_LAG_TTL_SECONDS = 120

LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)
LAG_BUCKETS = (0.1, 0.25, 0.5, 1.0, 2.0, 5.0, 10.0, 30.0, 60.0, 300.0)

# A Redis hash field and the amount this process has added to it since it started.
Totals = dict[tuple[str, str], float]


def key_prefix() -> str:
    # The channel-layer prefix keeps deployments (and test runs) sharing a Redis apart.
    return f"{settings.CHANNEL_LAYER_PREFIX}:metrics"


# A bucket's ``le`` label exactly as prometheus_client writes it ("0.005", "+Inf").
le: Callable[[float], str] = floatToGoString


class Counter:
    """A counter of this process (``prometheus_client.Counter``), summed in Redis."""

    def __init__(self, name: str, help: str, label: str | None = None) -> None:
        self.name, self.help, self.label = name, help, label
        self._fresh()

    def _fresh(self) -> None:
        # registry=None: the per-process values are only read by the flush thread.
        labels = (self.label,) if self.label else ()
        self._metric = prometheus_client.Counter(self.name, self.help, labels, registry=None)
        # The library's labels() validates and locks on every call; its children are kept.
        self._children: dict[str, prometheus_client.Counter] = {}

    @property
    def key(self) -> str:
        return f"{key_prefix()}:counter:{self.name}"

    def inc(self, amount: int = 1, *, label: str = "") -> None:
        if amount:
            if self.label:
                child = self._children.get(label)
                if child is None:
                    child = self._children.setdefault(label, self._metric.labels(label))
                child.inc(amount)
            else:
                self._metric.inc(amount)
            if not _recorder.started:
                _recorder.start()

    def totals(self, key: str) -> Iterator[tuple[tuple[str, str], float]]:
        for family in self._metric.collect():
            for sample in family.samples:
                if sample.name.endswith("_total"):
                    yield (key, sample.labels.get(self.label or "", "")), sample.value


class Histogram:
    """A histogram of this process (``prometheus_client.Histogram``), summed in Redis."""

    def __init__(self, name: str, help: str, buckets: tuple[float, ...]) -> None:
        self.name, self.help, self.buckets = name, help, buckets
        self._fresh()

    def _fresh(self) -> None:
        self._metric = prometheus_client.Histogram(
            self.name, self.help, buckets=self.buckets, registry=None
        )

    @property
    def key(self) -> str:
        return f"{key_prefix()}:histogram:{self.name}"

    def observe(self, *values: float) -> None:
        """Record values; a listener records a whole transaction's packets in one call."""
        if values:
            observe = self._metric.observe
            for value in values:
                observe(value)
            if not _recorder.started:
                _recorder.start()

    def totals(self, key: str) -> Iterator[tuple[tuple[str, str], float]]:
        below = 0.0  # the library's buckets are cumulative; Redis keeps each on its own
        for family in self._metric.collect():
            for sample in family.samples:
                if sample.name.endswith("_bucket"):
                    yield (key, f"bucket:{sample.labels['le']}"), sample.value - below
                    below = sample.value
                elif sample.name.endswith(("_count", "_sum")):
                    yield (key, sample.name.rpartition("_")[2]), sample.value


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
    """Flushes what this process's metrics gained since the last flush to Redis."""

    def __init__(self) -> None:
        self._start_lock = threading.Lock()
        self._clear()

    def _clear(self) -> None:
        # Held by a flush through its Redis round trip, so that two flushes (the thread's
        # and one at exit) never send the same growth twice; recording never takes it.
        self._mutex = threading.Lock()
        self._flushed: Totals = {}
        self._viewers = prometheus_client.Gauge("dde_viewers", "", registry=None)
        self._has_viewers = False
        # fixture id -> the lag of its latest publication, not yet flushed (last one wins).
        self._fixture_lags: dict[str, float] = {}
        self._thread: threading.Thread | None = None
        self._client: redis.Redis | None = None
        self.started = False

    def viewer_joined(self) -> None:
        self._viewers.inc()
        self._has_viewers = True
        if not self.started:
            self.start()

    def viewer_left(self) -> None:
        self._viewers.dec()

    def fixture_broadcast_lag(self, fixture_id: str, seconds: float) -> None:
        """The lag of a fixture's latest publication (a per-fixture gauge, docs/operations.md)."""
        self._fixture_lags[fixture_id] = seconds
        if not self.started:
            self.start()

    def totals(self) -> Totals:
        """What this process has recorded since it started, field by field."""
        totals: Totals = {}
        for metric in (*COUNTERS, *HISTOGRAMS):
            totals.update(metric.totals(metric.key))
        return totals

    def flush(self) -> None:
        """Add what grew since the last flush to Redis; on failure it is sent next time."""
        if not self.started:
            return  # nothing recorded yet (nor, maybe, any settings to find Redis with)
        with self._mutex:
            totals = self.totals()
            # A sum's growth is a difference of this process's running totals, so as exact
            # as a double of that size (a lifetime lag sum of 1e7 s: to about 2e-9 s).
            grown = {
                field: value - self._flushed.get(field, 0.0)
                for field, value in totals.items()
                if value != self._flushed.get(field, 0.0)
            }
            viewers = None
            if self._has_viewers:
                [family] = self._viewers.collect()
                viewers = round(family.samples[0].value)
            lags, self._fixture_lags = self._fixture_lags, {}
            if not grown and viewers is None and not lags:
                return
            try:
                # One MULTI/EXEC: a scrape sees a flush whole or not at all.
                pipe = self._redis().pipeline(transaction=True)
                for (key, field), amount in grown.items():
                    if field == "sum":
                        pipe.hincrbyfloat(key, field, amount)
                    else:
                        pipe.hincrby(key, field, round(amount))
                if viewers is not None:
                    pipe.set(viewers_key(process_name()), viewers, ex=VIEWERS_TTL_SECONDS)
                for fixture_id, seconds in lags.items():
                    pipe.set(fixture_lag_key(fixture_id), seconds, ex=FIXTURE_LAG_TTL_SECONDS)
                pipe.execute()
            except redis.RedisError as exc:
                log.warning("metrics.flush_failed", error=type(exc).__name__)
                for fixture_id, seconds in lags.items():  # unless a newer one came meanwhile
                    self._fixture_lags.setdefault(fixture_id, seconds)
                return
            self._flushed.update((field, totals[field]) for field in grown)

    def reset(self) -> None:
        """Start again from zero, forgetting what was not flushed and the viewers (between
        tests: a sum's growth is a difference of running totals, as exact as they are)."""
        with self._mutex:
            for metric in (*COUNTERS, *HISTOGRAMS):
                metric._fresh()
            self._flushed = {}
            self._viewers.set(0)
            self._has_viewers = False
            self._fixture_lags = {}

    def after_fork(self) -> None:
        # A forked child has none of its parent's threads, and must not share its sockets
        # or a lock another thread held at the fork: it starts again with metrics at zero.
        for metric in (*COUNTERS, *HISTOGRAMS):
            metric._fresh()
        self._start_lock = threading.Lock()
        self._clear()

    def start(self) -> None:
        """Start the flush thread, once (on the first thing recorded)."""
        with self._start_lock:
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name="metrics-flush", daemon=True)
                self._thread.start()
            self.started = True

    def _run(self) -> None:
        while True:
            time.sleep(FLUSH_SECONDS)
            self.flush()

    def _redis(self) -> redis.Redis:
        if self._client is None:
            self._client = redis_client(socket_connect_timeout=2, socket_timeout=2)
        return self._client


def process_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def viewers_key(process: str) -> str:
    return f"{key_prefix()}:viewers:{process}"


def fixture_lag_key(fixture_id: str) -> str:
    return f"{key_prefix()}:fixture_lag:{fixture_id}"


_recorder = _Recorder()
viewer_joined = _recorder.viewer_joined
viewer_left = _recorder.viewer_left
fixture_broadcast_lag = _recorder.fixture_broadcast_lag
flush = _recorder.flush
reset = _recorder.reset
atexit.register(_recorder.flush)
os.register_at_fork(after_in_child=_recorder.after_fork)
