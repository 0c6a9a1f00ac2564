"""/metrics: Prometheus text behind a token, with totals summed over every process."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import httpx
import pytest
from django.test import Client
from prometheus_client.parser import text_string_to_metric_families
from websockets.sync.client import ClientConnection, connect

from streams.feed.listener import Outcome, follow
from streams.models import Fixture, Packet, RejectedFrame
from streams.ops import metrics
from tests.conftest import StartFeed
from tests.ops.conftest import METRICS_TOKEN, StartWeb
from tests.streams.test_listener import wait_for

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
