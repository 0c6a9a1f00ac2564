"""The Prometheus text of /metrics: cluster-wide totals from Redis, live listeners from Postgres."""

from __future__ import annotations

from collections.abc import Iterator

import redis
from prometheus_client import CollectorRegistry, generate_latest
from prometheus_client.core import (
    CounterMetricFamily,
    GaugeMetricFamily,
    HistogramMetricFamily,
    Metric,
)
from prometheus_client.registry import Collector

from streams.feed.locks import followed_keys
from streams.ops import gauges, metrics
from streams.redis_client import redis_client


class ClusterCollector(Collector):
    """Reads what every process flushed (``streams.ops.metrics``) at scrape time, as the
    library's metric families; ``generate_latest`` writes the text."""

    def __init__(self, client: redis.Redis) -> None:
        self._redis = client

    def collect(self) -> Iterator[Metric]:
        for counter in metrics.COUNTERS:
            yield self._counter(counter)
        for histogram in metrics.HISTOGRAMS:
            yield self._histogram(histogram)
        yield self._viewers()
        live = GaugeMetricFamily(
            "dde_live_listeners", "Fixtures followed by a listener now (advisory locks held)."
        )
        live.add_metric([], len(followed_keys()))
        yield live
        yield from gauges.collect()

    def _counter(self, counter: metrics.Counter) -> Metric:
        labels = [counter.label] if counter.label else []
        family = CounterMetricFamily(counter.name, counter.help, labels=labels)
        values = self._hash(counter.key)
        if not labels:
            family.add_metric([], int(values.get("", 0)))
        for label, value in sorted(values.items()):
            if labels and label:
                family.add_metric([label], int(value))
        return family

    def _histogram(self, histogram: metrics.Histogram) -> Metric:
        values = self._hash(histogram.key)
        # Redis keeps each bucket on its own; the exposition's are cumulative, up to +Inf
        # (whose value the library also writes as _count).
        cumulative, buckets = 0, []
        for bound in [*map(metrics.le, histogram.buckets), "+Inf"]:
            cumulative += int(values.get(f"bucket:{bound}", 0))
            buckets.append((bound, float(cumulative)))
        family = HistogramMetricFamily(histogram.name, histogram.help)
        family.add_metric([], buckets, sum_value=float(values.get("sum", 0.0)))
        return family

    def _viewers(self) -> Metric:
        keys = list(self._redis.scan_iter(match=metrics.viewers_key("*"), count=500))
        counts = self._redis.mget(keys) if keys else []
        family = GaugeMetricFamily(
            "dde_connected_viewers", "Websocket viewers connected to the web processes now."
        )
        family.add_metric([], sum(int(count) for count in counts if count is not None))
        return family

    def _hash(self, key: str) -> dict[str, str]:
        raw: dict[bytes, bytes] = self._redis.hgetall(key)  # type: ignore[assignment]
        return {field.decode(): value.decode() for field, value in raw.items()}


def render() -> bytes:
    """The whole cluster's metrics in the Prometheus text format."""
    client = redis_client(socket_connect_timeout=2, socket_timeout=2)
    try:
        registry = CollectorRegistry(auto_describe=False)
        registry.register(ClusterCollector(client))
        return generate_latest(registry)
    finally:
        client.close()
