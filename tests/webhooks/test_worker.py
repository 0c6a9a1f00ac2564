"""Deliveries through a real Celery worker process, nudged as the listener nudges them
after each stored batch: the receiver fails for a while, then gets every packet in order."""

from __future__ import annotations

import datetime as dt
import json
import os
import signal
import subprocess
import uuid
from collections.abc import Callable, Iterator

import pytest
from django.conf import settings as django_settings

from dde_site import processes
from dde_site.celery import app as celery_app
from streams import webhooks
from streams.dde.messages import DataPacket, parse_frame
from streams.feed.listener import Outcome, follow
from streams.feed.writer import store_packets
from streams.models import Fixture
from streams.simulator import generate_match
from streams.webhooks.models import WebhookDelivery, WebhookEndpoint
from tests.conftest import StartFeed, match_packets
from tests.support.processes import ROOT, worker_database_url
from tests.support.waiting import wait_for
from tests.webhooks.conftest import FAIL, HANG, OK, SECRET, Receiver
from tests.webhooks.expected import expected_events

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]


@pytest.fixture
def worker() -> Iterator[subprocess.Popen[bytes]]:
    celery_app.control.purge()
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tests.settings",
        "DATABASE_URL": worker_database_url(),
        "REDIS_URL": django_settings.REDIS_URL,
        "WEBHOOK_RETRY_BASE_SECONDS": "0.05",
        "WEBHOOK_RETRY_MAX_SECONDS": "0.3",
        "WEBHOOK_TIMEOUT_SECONDS": "0.5",
        "LOG_LEVEL": "WARNING",
    }
    name = f"webhooks-{uuid.uuid4().hex[:6]}@%h"
    options = ["--concurrency", "4", "--name", name, "--loglevel", "WARNING"]
    process = subprocess.Popen(processes.command(["worker", *options]), cwd=ROOT, env=env)
    yield process
    if process.poll() is None:
        process.send_signal(signal.SIGKILL)
    process.wait(timeout=10)


def test_a_worker_delivers_every_packet_in_order_through_failures(
    receiver: Receiver, worker: subprocess.Popen[bytes]
) -> None:
    receiver.plan = lambda n: FAIL if n < 4 or n % 13 == 7 else HANG if n == 21 else OK
    match = generate_match(uuid.uuid4(), dt.datetime(2025, 1, 1, tzinfo=dt.UTC))
    packets = match_packets(match)[:150]
    fixture = Fixture.objects.create(
        id=match.fixture_id,
        home_team="H",
        away_team="A",
        kickoff=match.kickoff,
        listen_from=match.kickoff - dt.timedelta(minutes=30),
        listen_until=match.kickoff + dt.timedelta(hours=4),
    )
    endpoint = WebhookEndpoint.objects.create(url=receiver.url, secret=SECRET, events=["all"])
    endpoint.fixtures.set([fixture])

    # Stored in batches, each followed by the listener's nudge; a nudge that finds the
    # (endpoint, fixture) in flight does nothing, and the one in flight goes on.
    for start in range(0, len(packets), 25):
        store_packets(fixture.id, packets[start : start + 25])
        webhooks.nudge_after_commit(fixture.id)

    def progress() -> str:
        cursors = list(endpoint.cursors.values())
        done = len(receiver.processed)
        return f"every packet: {done} processed, {receiver.requests} asked, {cursors}"

    wait_for(lambda: len(receiver.processed) >= len(packets), timeout=90, what=progress)
    assert receiver.positions(fixture.id) == list(range(len(packets)))
    assert receiver.bad_signatures == 0
    assert receiver.duplicates >= 1
    assert WebhookDelivery.objects.filter(status_code=500).exists()
    assert worker.poll() is None


def test_the_listener_nudges_a_worker_that_delivers_each_key_event_of_a_followed_match(
    receiver: Receiver,
    worker: subprocess.Popen[bytes],
    start_feed: StartFeed,
    make_fixture: Callable[..., Fixture],
) -> None:
    receiver.plan = lambda n: FAIL if n < 3 or n % 7 == 3 else OK
    feed = start_feed()
    endpoint = WebhookEndpoint.objects.create(
        url=receiver.url, secret=SECRET, events=["goal", "card", "correction", "match_finished"]
    )
    fixture = make_fixture()
    assert follow(fixture.id, speed="fast") is Outcome.FINISHED  # the product's own listener

    packets = [parse_frame(json.dumps(p)) for p in feed.actions(fixture.id)]
    events = expected_events([p for p in packets if isinstance(p, DataPacket)])
    wanted = {"goal", "card", "correction", "match_finished"}
    expected = [position for position, kinds in enumerate(events) if kinds & wanted]
    assert len(expected) > 10

    def delivered() -> bool:
        return receiver.positions(fixture.id) == expected

    wait_for(delivered, timeout=90, what="every goal, card, correction and the end")
    assert receiver.bad_signatures == 0
    assert endpoint.deliveries.filter(status_code=500).exists()
