"""Deliveries run by calling the task's function: a receiver that fails for a while (500s,
time-outs, its port closed) still gets every event, in order per fixture, once each."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable
from typing import Any

import pytest
from django.core.management import call_command
from django.db.models import Q
from django.test import Client
from django.utils import timezone

from streams.feed.writer import store_packets
from streams.simulator import generate_match
from streams.webhooks.delivery import Outcome, deliver
from streams.webhooks.models import WebhookCursor, WebhookDelivery, WebhookEndpoint
from tests.conftest import match_packets, store_match
from tests.support.waiting import wait_for
from tests.webhooks.conftest import FAIL, HANG, OK, SECRET, Receiver
from tests.webhooks.expected import expected_events

pytestmark = pytest.mark.django_db

KICKOFF = dt.datetime(2025, 1, 1, tzinfo=dt.UTC)
KEY_EVENTS = ["goal", "card", "correction", "status_change", "match_finished"]


def endpoint_for(receiver: Receiver, events: list[str], **fields: Any) -> WebhookEndpoint:
    return WebhookEndpoint.objects.create(url=receiver.url, secret=SECRET, events=events, **fields)


def drive(endpoint: WebhookEndpoint, fixtures: list[uuid.UUID], done: Callable[[], bool]) -> None:
    """Run deliveries as the worker would, each as soon as its backoff lets it."""
    asked: list[float] = []

    def enqueue(endpoint_id: int, fixture_id: uuid.UUID, delay: float) -> None:
        asked.append(delay)

    def due() -> bool:
        now = timezone.now()
        cursors = WebhookCursor.objects.filter(endpoint=endpoint)
        due = Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now)
        return cursors.filter(due).exists()

    deadline = timezone.now() + dt.timedelta(seconds=90)
    while not done():
        assert timezone.now() < deadline, "deliveries did not finish"
        for fixture_id in fixtures:
            deliver(endpoint.pk, fixture_id, enqueue=enqueue)
        endpoint.refresh_from_db()
        if not endpoint.enabled:
            return
        wait_for(due, timeout=10, what="a delivery due")


def test_every_event_arrives_in_order_once_each_through_500s_timeouts_and_a_closed_port(
    receiver: Receiver, quick_retries: None
) -> None:
    endpoint = endpoint_for(receiver, KEY_EVENTS)  # no fixtures named: every new one
    matches = [generate_match(uuid.uuid4(), KICKOFF + dt.timedelta(hours=i)) for i in range(2)]
    fixtures = [store_match(match).id for match in matches]
    expected = {}
    for match in matches:
        events = expected_events(match_packets(match))
        expected[match.fixture_id] = {p: e for p, e in enumerate(events) if e}

    # First the port is closed: connections refused.
    receiver.stop()
    wait_for_failures = 3
    while WebhookDelivery.objects.count() < wait_for_failures:
        drive(endpoint, fixtures, lambda: WebhookDelivery.objects.count() >= wait_for_failures)
    receiver.plan = lambda n: FAIL if n < 3 or n % 11 == 5 else HANG if n in (3, 40) else OK
    receiver.start()  # the same port

    def all_arrived() -> bool:
        return all(receiver.positions(f) == sorted(expected[f]) for f in fixtures)

    drive(endpoint, fixtures, all_arrived)

    for fixture_id in fixtures:
        assert receiver.positions(fixture_id) == sorted(expected[fixture_id])
    for body in receiver.processed:
        fixture_id = uuid.UUID(body["fixture"]["id"])
        assert set(body["events"]) == expected[fixture_id][body["position"]]
        assert body["idempotency_key"] == f"{fixture_id}:{body['position']}"
        assert body["action"]["row"]  # the timeline row, as pages draw it
        assert body["packet"]["fixtureAction"]
    finished = [b for b in receiver.processed if "match_finished" in b["events"]]
    assert len(finished) == 2 and all(b["fixture"]["finished"] for b in finished)
    assert receiver.bad_signatures == 0
    # A time-out after the receiver had processed the body: retried, and deduplicated.
    assert receiver.duplicates >= 1
    errors = set(WebhookDelivery.objects.values_list("error", flat=True))
    assert {"ConnectError", "HTTP 500", "ReadTimeout"} <= errors
    assert WebhookDelivery.objects.filter(attempt__gt=1).exists()
    assert WebhookDelivery.objects.filter(status_code=204).count() == len(receiver.processed)
    endpoint.refresh_from_db()
    assert endpoint.enabled


@pytest.mark.django_db(transaction=True)  # /healthz reads on a connection of its own
def test_a_receiver_down_past_the_limit_disables_the_endpoint_and_healthz_names_it(
    receiver: Receiver, quick_retries: None, settings: Any
) -> None:
    settings.WEBHOOK_RETRY_FOR_SECONDS = 1.0
    match = generate_match(uuid.uuid4(), KICKOFF)
    fixture = store_match(match, match_packets(match)[:20])
    endpoint = endpoint_for(receiver, ["all"], description="settlement")
    endpoint.fixtures.set([fixture])
    receiver.stop()
    started = timezone.now()
    drive(endpoint, [fixture.id], lambda: False)  # returns once disabled

    endpoint.refresh_from_db()
    assert not endpoint.enabled
    assert endpoint.disabled_at is not None
    assert (endpoint.disabled_at - started).total_seconds() >= 1.0
    assert deliver(endpoint.pk, fixture.id, enqueue=lambda *a: None) is Outcome.DISABLED
    assert WebhookCursor.objects.get(endpoint=endpoint).position == -1

    response = Client().get("/healthz")
    body = response.json()
    assert response.status_code == 503 and "webhooks" in body["failing"]
    (named,) = body["checks"]["webhooks"]["disabled"]
    assert named["endpoint"] == endpoint.pk and "settlement" in named["name"]
    text = response.content.decode()
    assert SECRET not in text and "receivers-own" not in text


def test_a_fixture_named_gets_its_whole_log_and_others_nothing(
    receiver: Receiver, quick_retries: None
) -> None:
    first, other = (generate_match(uuid.uuid4(), KICKOFF) for _ in range(2))
    fixture = store_match(first, match_packets(first)[:30])
    store_match(other, match_packets(other)[:30])
    endpoint = endpoint_for(receiver, ["all"])  # made after the packets were stored
    endpoint.fixtures.set([fixture])
    drive(endpoint, [fixture.id, other.fixture_id], lambda: len(receiver.processed) >= 30)
    assert receiver.positions(fixture.id) == list(range(30))
    assert receiver.positions(other.fixture_id) == []


def test_an_endpoint_for_every_fixture_skips_matches_stored_before_it(
    receiver: Receiver, quick_retries: None
) -> None:
    old, new = (generate_match(uuid.uuid4(), KICKOFF) for _ in range(2))
    store_match(old, match_packets(old)[:10])
    endpoint = endpoint_for(receiver, ["all"])
    fixture = store_match(new, match_packets(new)[:10])
    drive(endpoint, [old.fixture_id, fixture.id], lambda: len(receiver.processed) >= 10)
    assert receiver.positions(fixture.id) == list(range(10))
    assert receiver.positions(old.fixture_id) == []
    # More packets of the new match go on from its cursor.
    store_packets(fixture.id, match_packets(new)[10:15])
    drive(endpoint, [fixture.id], lambda: len(receiver.processed) >= 15)
    assert receiver.positions(fixture.id) == list(range(15))


def test_add_webhook_registers_an_endpoint_without_printing_the_secret(
    capsys: pytest.CaptureFixture[str], make_fixture: Callable[..., Any]
) -> None:
    fixture = make_fixture()
    call_command(
        "add_webhook",
        "https://hooks.example.com/dde",
        "--secret",
        SECRET,
        "--fixture",
        str(fixture.id),
        "--event",
        "goal",
        "--event",
        "card",
    )
    out = capsys.readouterr()
    assert SECRET not in out.out + out.err
    endpoint = WebhookEndpoint.objects.get()
    assert endpoint.events == ["card", "goal"]
    assert list(endpoint.fixtures.all()) == [fixture]
    assert endpoint.secret == SECRET
