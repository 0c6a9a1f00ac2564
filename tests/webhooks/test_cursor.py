"""The cursor's lease (one delivery in flight per endpoint and fixture) and beat's sweep."""

from __future__ import annotations

import datetime as dt
import threading
import time
import uuid
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone

from streams.simulator import generate_match
from streams.webhooks import signing
from streams.webhooks.delivery import Outcome, backoff_seconds, deliver, sweep
from streams.webhooks.models import WebhookCursor, WebhookEndpoint
from tests.conftest import match_packets, store_match
from tests.support.waiting import wait_for
from tests.webhooks.conftest import HANG, OK, SECRET, Receiver

KICKOFF = dt.datetime(2025, 1, 1, tzinfo=dt.UTC)


def stored_fixture(count: int) -> Any:
    match = generate_match(uuid.uuid4(), KICKOFF)
    return store_match(match, match_packets(match)[:count])


@pytest.mark.django_db(transaction=True)  # two threads, two connections
def test_a_second_delivery_while_one_is_in_flight_does_nothing(
    receiver: Receiver, quick_retries: None, settings: Any
) -> None:
    settings.WEBHOOK_TIMEOUT_SECONDS = 5.0
    receiver.plan = lambda n: HANG if n == 0 else OK
    fixture = stored_fixture(5)
    endpoint = WebhookEndpoint.objects.create(url=receiver.url, secret=SECRET, events=["all"])
    endpoint.fixtures.set([fixture])
    outcomes: list[Outcome] = []
    first = threading.Thread(
        target=lambda: outcomes.append(deliver(endpoint.pk, fixture.id, enqueue=lambda *a: None))
    )
    first.start()
    wait_for(lambda: receiver.requests == 1, what="the first POST in flight")
    assert deliver(endpoint.pk, fixture.id, enqueue=lambda *a: None) is Outcome.BUSY
    receiver.release.set()
    first.join(timeout=30)
    assert outcomes == [Outcome.CAUGHT_UP]
    assert receiver.positions(fixture.id) == [0, 1, 2, 3, 4]
    assert receiver.duplicates == 0


@pytest.mark.django_db
def test_the_sweep_starts_deliveries_behind_and_due_only(receiver: Receiver) -> None:
    endpoint = WebhookEndpoint.objects.create(url=receiver.url, secret=SECRET, events=["all"])
    behind, caught_up, waiting = (stored_fixture(3) for _ in range(3))
    WebhookCursor.objects.create(endpoint=endpoint, fixture=caught_up, position=2)
    later = timezone.now() + dt.timedelta(minutes=1)
    WebhookCursor.objects.create(endpoint=endpoint, fixture=waiting, next_attempt_at=later)
    asked: list[tuple[int, uuid.UUID, float]] = []
    assert sweep(lambda *a: asked.append(a)) == 1
    assert asked == [(endpoint.pk, behind.id, 0.0)]
    WebhookEndpoint.objects.filter(pk=endpoint.pk).update(enabled=False)
    assert sweep(lambda *a: asked.append(a)) == 0


def test_backoff_is_full_jitter_under_a_doubling_capped_ceiling(settings: Any) -> None:
    settings.WEBHOOK_RETRY_BASE_SECONDS = 1.0
    settings.WEBHOOK_RETRY_MAX_SECONDS = 8.0
    for attempts, ceiling in ((1, 1.0), (2, 2.0), (3, 4.0), (4, 8.0), (30, 8.0), (500, 8.0)):
        delays = [backoff_seconds(attempts) for _ in range(200)]
        assert all(0 <= d <= ceiling for d in delays)
        assert max(delays) > ceiling / 2  # spread over the range, not fixed


def test_a_signature_verifies_only_for_the_same_secret_timestamp_and_body() -> None:
    body = b'{"position": 1}'
    signed = signing.signature(SECRET, 1700000000, body)
    assert signing.verify(SECRET, "1700000000", body, signed)
    assert not signing.verify("another-secret", "1700000000", body, signed)
    assert not signing.verify(SECRET, "1700000001", body, signed)
    assert not signing.verify(SECRET, "1700000000", body + b" ", signed)
    assert not signing.verify(SECRET, "soon", body, signed)


def test_the_receiver_example_in_docs_api_md_verifies_a_delivery() -> None:
    text = (Path(__file__).resolve().parents[2] / "docs" / "api.md").read_text()
    section = text.split("### Verifying a delivery", 1)[1]
    example = section.split("```python\n", 1)[1].split("```", 1)[0]
    scope: dict[str, Any] = {}
    exec(example, scope)
    body = b'{"position": 7}'
    now = int(time.time())
    headers = {"X-DDE-Timestamp": str(now), "X-DDE-Signature": signing.signature(SECRET, now, body)}
    assert scope["verify"](SECRET, headers, body)
    assert not scope["verify"](SECRET, headers, body + b"x")
    old = now - 3600
    stale = {"X-DDE-Timestamp": str(old), "X-DDE-Signature": signing.signature(SECRET, old, body)}
    assert not scope["verify"](SECRET, stale, body)
