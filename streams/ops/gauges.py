"""Gauges /metrics reads from Postgres and Redis at scrape time, for the alert rules.

Per-fixture series are for followed fixtures only (a listener holds the fixture's lock),
so their labels stay bounded by what is live now: a finished fixture's series ends.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import redis
from django.conf import settings
from django.utils import timezone
from prometheus_client.core import GaugeMetricFamily, Metric

from streams.feed.locks import followed_keys, lock_key
from streams.models import Fixture, ListenerState
from streams.ops import health, metrics
from streams.reconcile.service import status_counts
from streams.redis_client import redis_client


def collect(now: dt.datetime | None = None) -> Iterator[Metric]:
    now = now or timezone.now()
    followed = followed_keys()
    grace = dt.timedelta(seconds=2 * settings.DISPATCH_INTERVAL_SECONDS + 5)
    age = GaugeMetricFamily(
        "dde_fixture_feed_age_seconds",
        "Seconds since a followed fixture's last frame (or since its window opened).",
        labels=["fixture"],
    )
    states = GaugeMetricFamily(
        "dde_due_fixtures", "Fixtures in their listen window, by listener state.", labels=["state"]
    )
    unfollowed = 0
    by_state = dict.fromkeys(ListenerState.values, 0)
    live: list[str] = []
    due = Fixture.objects.due(now).values_list(
        "id", "listen_from", "last_frame_at", "listener_state"
    )
    for fixture_id, listen_from, last_frame_at, state in due:
        by_state[state] = by_state.get(state, 0) + 1
        if lock_key(fixture_id) not in followed:
            if listen_from <= now - grace:
                unfollowed += 1
            continue
        live.append(str(fixture_id))
        silent_since = max(last_frame_at or listen_from, listen_from)
        age.add_metric([str(fixture_id)], (now - silent_since).total_seconds())
    yield age
    for state, count in sorted(by_state.items()):
        states.add_metric([state], count)
    yield states
    nobody = GaugeMetricFamily(
        "dde_unfollowed_fixtures",
        "Fixtures in their listen window that no listener has followed for a dispatch tick.",
    )
    nobody.add_metric([], unfollowed)
    yield nobody
    with redis_client(socket_connect_timeout=2, socket_timeout=2) as client:
        yield _broadcast_lags(client, live)
        yield from _beat(client, now)
    reconciled = GaugeMetricFamily(
        "dde_reconciliation_fixtures",
        "Fixtures by the status of their latest post-match reconciliation.",
        labels=["status"],
    )
    for status, count in sorted(status_counts().items()):
        reconciled.add_metric([status], count)
    yield reconciled


def _broadcast_lags(client: redis.Redis, live: list[str]) -> Metric:
    family = GaugeMetricFamily(
        "dde_fixture_broadcast_lag_seconds",
        "Received from the feed to published to viewers, for a followed fixture's latest "
        "packets (the slowest of its last publication).",
        labels=["fixture"],
    )
    values = client.mget([metrics.fixture_lag_key(f) for f in live]) if live else []
    for fixture_id, value in zip(live, values, strict=True):
        if value is not None:
            family.add_metric([fixture_id], float(value))
    return family


def _beat(client: redis.Redis, now: dt.datetime) -> Iterator[Metric]:
    raw = client.get(health.beat_tick_key())
    family = GaugeMetricFamily(
        "dde_beat_last_tick_age_seconds",
        "Seconds since beat's dispatcher last ran (absent when it never ran).",
    )
    if isinstance(raw, bytes):
        last = dt.datetime.fromisoformat(raw.decode())
        family.add_metric([], (now - last).total_seconds())
    yield family
