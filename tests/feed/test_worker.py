"""Real Celery worker processes: dispatch, a worker killed mid-match, a new one resuming."""

from __future__ import annotations

import datetime as dt
import signal
import subprocess
import uuid
from collections.abc import Callable

import pytest
from django.utils import timezone

from streams.feed.dispatch import dispatch_due
from streams.feed.locks import is_followed
from streams.models import Fixture, Packet
from streams.simulator import Schedule
from streams.tasks import enqueue_listener
from tests.conftest import StartFeed
from tests.support.packet_log import assert_log_equals_feed
from tests.support.waiting import wait_for

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]


def stored(fixture: Fixture) -> int:
    return Packet.objects.filter(fixture=fixture).count()


def test_a_worker_killed_mid_match_is_replaced_and_the_new_one_resumes_with_nothing_lost(
    start_feed: StartFeed,
    make_fixture: Callable[..., Fixture],
    start_worker: Callable[[], subprocess.Popen[bytes]],
) -> None:
    fixture_id = uuid.uuid4()
    schedule = Schedule()
    # A live match at 300x lasts about twenty seconds.
    schedule.add(fixture_id, kickoff=timezone.now() + dt.timedelta(seconds=2))
    feed = start_feed(schedule=schedule, pace=300)
    fixture = make_fixture(fixture_id)

    first = start_worker()
    assert dispatch_due(enqueue=enqueue_listener) == [fixture.id]
    wait_for(lambda: stored(fixture) > 150, timeout=60)
    first.send_signal(signal.SIGKILL)
    first.wait(timeout=10)
    killed_at = stored(fixture)

    # Postgres drops the dead worker's connection and its lock with it.
    wait_for(lambda: not is_followed(fixture.id), timeout=5)
    start_worker()
    assert dispatch_due(enqueue=enqueue_listener) == [fixture.id]  # the next beat tick

    def finished() -> bool:
        fixture.refresh_from_db()
        return fixture.finished

    wait_for(finished, timeout=90)
    assert stored(fixture) > killed_at
    assert_log_equals_feed(fixture.id, feed)


def test_the_dispatcher_starts_nothing_for_a_fixture_already_followed(
    start_feed: StartFeed,
    make_fixture: Callable[..., Fixture],
    start_worker: Callable[[], subprocess.Popen[bytes]],
) -> None:
    fixture_id = uuid.uuid4()
    schedule = Schedule()
    schedule.add(fixture_id, kickoff=timezone.now() + dt.timedelta(seconds=60))
    start_feed(schedule=schedule, pace=1)
    fixture = make_fixture(fixture_id)
    start_worker()
    assert dispatch_due(enqueue=enqueue_listener) == [fixture.id]
    wait_for(lambda: is_followed(fixture.id), timeout=30)
    assert dispatch_due(enqueue=enqueue_listener) == []
    Fixture.objects.filter(pk=fixture.id).update(stop_requested=True)
    wait_for(lambda: not is_followed(fixture.id), timeout=15)


def test_a_worker_asked_to_shut_down_lets_go_of_its_live_fixtures_promptly(
    start_feed: StartFeed,
    make_fixture: Callable[..., Fixture],
    start_worker: Callable[[], subprocess.Popen[bytes]],
) -> None:
    fixture_id = uuid.uuid4()
    schedule = Schedule()
    schedule.add(fixture_id, kickoff=timezone.now() - dt.timedelta(minutes=5))
    start_feed(schedule=schedule, pace=1)
    fixture = make_fixture(fixture_id)
    worker = start_worker()
    dispatch_due(enqueue=enqueue_listener)
    wait_for(lambda: stored(fixture) > 0, timeout=30)
    worker.send_signal(signal.SIGTERM)  # warm shutdown, as on a deploy or Ctrl-C
    assert worker.wait(timeout=15) == 0
    fixture.refresh_from_db()
    assert fixture.listener_state == "idle"
    assert not fixture.finished
    assert dispatch_due(enqueue=lambda _: None) == [fixture.id]
