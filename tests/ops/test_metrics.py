"""/metrics: Prometheus text behind a token, with totals summed over every process.

Everything goes through the real Redis, and the text is read back with prometheus_client's
own parser, so a malformed exposition fails here.
"""

from __future__ import annotations

import math
import os
import time
from collections.abc import Callable
from typing import Any

import httpx
import pytest
import redis
import structlog
from django.conf import settings as django_settings
from django.test import Client
from prometheus_client import CONTENT_TYPE_LATEST
from prometheus_client.parser import text_string_to_metric_families
from websockets.sync.client import ClientConnection, connect

from streams.feed.listener import Outcome, follow
from streams.models import Fixture, Packet, RejectedFrame
from streams.ops import metrics
from tests.conftest import StartFeed
from tests.ops.conftest import METRICS_TOKEN, StartWeb, dead_port
from tests.support.waiting import wait_for

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("clean_metrics")]

Samples = dict[tuple[str, tuple[tuple[str, str], ...]], float]


def parse(text: str) -> Samples:
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }


def scrape(base: str) -> Samples:
    response = httpx.get(
        f"{base}/metrics", headers={"Authorization": f"Bearer {METRICS_TOKEN}"}, timeout=10
    )
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("text/plain; version=")
    return parse(response.text)


def test_metrics_are_off_without_a_token_setting(settings: Any) -> None:
    settings.METRICS_TOKEN = ""
    response = Client().get("/metrics")
    assert response.status_code == 403
    assert b"METRICS_TOKEN" in response.content


def test_metrics_need_the_bearer_token_and_never_show_it(settings: Any) -> None:
    settings.METRICS_TOKEN = METRICS_TOKEN
    client = Client()
    assert client.get("/metrics").status_code == 401
    wrong = client.get("/metrics", headers={"Authorization": "Bearer not-the-token"})
    assert wrong.status_code == 401
    assert wrong["WWW-Authenticate"].startswith("Bearer")
    right = client.get("/metrics", headers={"Authorization": f"Bearer {METRICS_TOKEN}"})
    assert right.status_code == 200
    assert METRICS_TOKEN.encode() not in right.content
    names = {name for name, _ in parse(right.content.decode())}
    assert {
        "dde_packets_stored_total",
        "dde_rejected_frames_total",
        "dde_listener_reconnects_total",
        "dde_auth_failures_total",
        "dde_listener_lag_seconds_count",
        "dde_live_listeners",
        "dde_connected_viewers",
        "dde_broadcast_latency_seconds_count",
    } <= names


def cluster(settings: Any) -> Samples:
    """Flush this process, then read /metrics as a scrape would (totals from Redis)."""
    settings.METRICS_TOKEN = METRICS_TOKEN
    metrics.flush()
    response = Client().get("/metrics", headers={"Authorization": f"Bearer {METRICS_TOKEN}"})
    assert response.status_code == 200
    return parse(response.content.decode())


def stored_hash(key: str) -> dict[str, str]:
    client = redis.Redis.from_url(django_settings.REDIS_URL, decode_responses=True)
    return client.hgetall(key)  # type: ignore[return-value]


# What dashboards are built on: renaming one of these must be a decision, not an accident.
FAMILIES = {
    "dde_packets_stored": "counter",
    "dde_rejected_frames": "counter",
    "dde_listener_reconnects": "counter",
    "dde_auth_failures": "counter",
    "dde_api_requests": "counter",
    "dde_listener_lag_seconds": "histogram",
    "dde_broadcast_latency_seconds": "histogram",
    "dde_live_listeners": "gauge",
    "dde_connected_viewers": "gauge",
    "dde_fixture_feed_age_seconds": "gauge",
    "dde_fixture_broadcast_lag_seconds": "gauge",
    "dde_due_fixtures": "gauge",
    "dde_unfollowed_fixtures": "gauge",
    "dde_beat_last_tick_age_seconds": "gauge",
    "dde_reconciliation_fixtures": "gauge",
}


def test_the_families_names_and_types_are_the_ones_dashboards_use(settings: Any) -> None:
    settings.METRICS_TOKEN = METRICS_TOKEN
    response = Client().get("/metrics", headers={"Authorization": f"Bearer {METRICS_TOKEN}"})
    assert response["Content-Type"] == CONTENT_TYPE_LATEST
    families = list(text_string_to_metric_families(response.content.decode()))
    assert {family.name: family.type for family in families} == FAMILIES
    assert all(family.documentation for family in families)
    for family in families:
        if family.type == "histogram":
            bounds = [s.labels["le"] for s in family.samples if s.name.endswith("_bucket")]
            assert bounds[-1] == "+Inf"
            assert [float(b) for b in bounds] == sorted(float(b) for b in bounds)


def test_each_flush_adds_only_what_grew_since_the_last(settings: Any) -> None:
    metrics.PACKETS_STORED.inc(2)
    metrics.API_REQUESTS.inc(label="200")
    assert cluster(settings)[("dde_packets_stored_total", ())] == 2
    assert cluster(settings)[("dde_packets_stored_total", ())] == 2  # flushed again: no more
    metrics.PACKETS_STORED.inc(3)
    metrics.PACKETS_STORED.inc(0)
    metrics.API_REQUESTS.inc(label="200")
    metrics.API_REQUESTS.inc(2, label="429")
    samples = cluster(settings)
    assert samples[("dde_packets_stored_total", ())] == 5
    assert samples[("dde_api_requests_total", (("status", "200"),))] == 2
    assert samples[("dde_api_requests_total", (("status", "429"),))] == 2
    assert stored_hash(metrics.API_REQUESTS.key) == {"200": "2", "429": "2"}


def test_a_bucket_holds_the_values_up_to_and_including_its_bound(settings: Any) -> None:
    metrics.BROADCAST_LATENCY.observe(0.0, 0.005, 0.0051, 10.0, 11.0)
    metrics.BROADCAST_LATENCY.observe()
    samples = cluster(settings)

    def bucket(le: str) -> float:
        return samples[("dde_broadcast_latency_seconds_bucket", (("le", le),))]

    assert [bucket(le) for le in ("0.005", "0.01", "5.0", "10.0", "+Inf")] == [2, 3, 3, 4, 5]
    assert samples[("dde_broadcast_latency_seconds_count", ())] == 5
    assert math.isclose(samples[("dde_broadcast_latency_seconds_sum", ())], 21.0101)
    assert samples[("dde_listener_lag_seconds_count", ())] == 0
    # Redis keeps each bucket on its own: processes of the previous release, still running
    # during a rolling deploy, add to the same fields.
    stored = stored_hash(metrics.BROADCAST_LATENCY.key)
    assert math.isclose(float(stored.pop("sum")), 21.0101)
    assert stored == {
        "bucket:0.005": "2",
        "bucket:0.01": "1",
        "bucket:10.0": "1",
        "bucket:+Inf": "1",
        "count": "5",
    }


def test_what_a_failed_flush_could_not_send_goes_whole_with_the_next(settings: Any) -> None:
    metrics.REJECTED_FRAMES.inc()
    metrics.LISTENER_LAG.observe(0.2, 400.0)
    with metrics._recorder._mutex:  # not while the flush thread is using the real client
        metrics._recorder._client = redis.Redis(port=dead_port(), socket_connect_timeout=1)
    with structlog.testing.capture_logs() as logs:
        metrics.flush()
    assert {"event": "metrics.flush_failed", "error": "ConnectionError"} in [
        {key: entry[key] for key in ("event", "error")} for entry in logs
    ]
    assert stored_hash(metrics.REJECTED_FRAMES.key) == {}
    metrics.REJECTED_FRAMES.inc()  # recording goes on while Redis is away
    with metrics._recorder._mutex:
        metrics._recorder._client = None
    samples = cluster(settings)
    assert samples[("dde_rejected_frames_total", ())] == 2
    assert samples[("dde_listener_lag_seconds_bucket", (("le", "0.25"),))] == 1
    assert samples[("dde_listener_lag_seconds_bucket", (("le", "+Inf"),))] == 2
    assert math.isclose(samples[("dde_listener_lag_seconds_sum", ())], 400.2)


def test_a_forked_child_sends_its_own_counts_not_its_parent_s_again(settings: Any) -> None:
    metrics.RECONNECTS.inc()  # not flushed yet: the parent's to send
    child = os.fork()
    if child == 0:  # the child reports through its exit status only
        code = 1
        try:
            metrics.RECONNECTS.inc(10)
            metrics.flush()
            code = 0
        finally:
            os._exit(code)
    _, status = os.waitpid(child, 0)
    assert os.waitstatus_to_exitcode(status) == 0
    assert stored_hash(metrics.RECONNECTS.key) == {"": "10"}
    assert cluster(settings)[("dde_listener_reconnects_total", ())] == 11


def viewer(base: str) -> ClientConnection:
    ws_base = base.replace("http://", "ws://")
    socket = connect(f"{ws_base}/ws/fixtures/", origin=base, legacy=True)  # type: ignore[arg-type]
    socket.recv(timeout=10)  # the scoreboard snapshot: the consumer has accepted
    return socket


def test_two_web_processes_count_viewers_and_api_requests_together(start_web: StartWeb) -> None:
    first, second = start_web(), start_web()
    viewers = [viewer(first), viewer(first), viewer(second)]
    for base, status in ((first, 401), (first, 401), (second, 401), (second, 404)):
        path = "/api/fixtures/" if status == 401 else "/api/no-such-endpoint/"
        assert httpx.get(f"{base}{path}").status_code == status

    def totals(base: str) -> tuple[float, float, float]:
        samples = scrape(base)
        return (
            samples.get(("dde_connected_viewers", ()), 0.0),
            samples.get(("dde_api_requests_total", (("status", "401"),)), 0.0),
            samples.get(("dde_api_requests_total", (("status", "404"),)), 0.0),
        )

    # Processes flush every second; either one answers for both.
    wait_for(lambda: totals(second) == (3, 3, 1), timeout=10)
    assert totals(first) == (3, 3, 1)
    viewers.pop().close()
    wait_for(lambda: totals(first)[0] == 2, timeout=10)
    for socket in viewers:
        socket.close()


def test_a_listener_counts_what_it_stored_rejected_and_retried(
    start_feed: StartFeed, make_fixture: Callable[..., Fixture], settings: Any
) -> None:
    feed = start_feed(faults="drop=50,malformed=30,reject_token=1")
    settings.LISTENER_AUTH_RETRY_SECONDS = 0.5
    settings.METRICS_TOKEN = METRICS_TOKEN
    fixture = make_fixture()
    started = time.monotonic()
    assert follow(fixture.id, speed="fast") is Outcome.FINISHED
    metrics.flush()
    response = Client().get("/metrics", headers={"Authorization": f"Bearer {METRICS_TOKEN}"})
    samples = parse(response.content.decode())
    fixture.refresh_from_db()
    stored = Packet.objects.filter(fixture=fixture).count()
    assert samples[("dde_packets_stored_total", ())] == stored
    assert samples[("dde_rejected_frames_total", ())] == RejectedFrame.objects.count() > 0
    assert samples[("dde_listener_reconnects_total", ())] == fixture.reconnects > 0
    assert samples[("dde_auth_failures_total", ())] == feed.stats.auth_failed > 0
    assert samples[("dde_broadcast_latency_seconds_count", ())] == stored
    slowest = time.monotonic() - started
    within = samples[("dde_broadcast_latency_seconds_bucket", (("le", "10.0"),))]
    assert within == stored  # nothing took longer than the whole test
    assert samples[("dde_broadcast_latency_seconds_sum", ())] <= stored * slowest
    # A recorded match replayed now: every action is hours old.
    assert samples[("dde_listener_lag_seconds_count", ())] == stored
    assert samples[("dde_listener_lag_seconds_bucket", (("le", "300.0"),))] == 0
    assert samples[("dde_live_listeners", ())] == 0
