"""A worker that lost its lock connection knows it, and its listeners stop writing."""

from __future__ import annotations

import datetime as dt
import time
import uuid
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any
from unittest import mock

import pytest
from django.conf import settings
from django.db import connection
from django.db.models import F
from django.utils import timezone

from streams.conninfo import database_conninfo
from streams.feed.listener import Outcome, follow
from streams.feed.locks import ProcessLocks, is_followed, process_locks
from streams.models import Fixture, ListenerState
from streams.simulator import Schedule
from tests.conftest import StartFeed
from tests.support.waiting import wait_for

pytestmark = pytest.mark.django_db(transaction=True)

CHECK_EVERY = 0.5


def terminate_backend(pid: int) -> None:
    """What Postgres does to a partitioned worker's session once its keepalives give up."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_terminate_backend(%s)", [pid])
        assert cursor.fetchone() == (True,)


def test_a_killed_lock_connection_is_reported_as_every_lease_lost_within_the_check_interval() -> (
    None
):
    locks = ProcessLocks(database_conninfo(), check_every_seconds=CHECK_EVERY)
    try:
        leases = [locks.try_acquire(uuid.uuid4()) for _ in range(3)]
        assert all(lease is not None for lease in leases)
        held = [lease for lease in leases if lease is not None]
        assert all(locks.holds(lease) for lease in held)
        terminated_at = time.monotonic()
        terminate_backend(held[0].pid)
        wait_for(lambda: not any(locks.holds(lease) for lease in held), timeout=5)
        noticed_after = time.monotonic() - terminated_at
        # One check interval, plus the failed query and a little scheduling slack.
        assert noticed_after < CHECK_EVERY + 1.0
        assert not any(is_followed(lease.fixture_id) for lease in held)
    finally:
        locks.close()


def test_a_live_lock_connection_keeps_its_leases_through_many_checks() -> None:
    locks = ProcessLocks(database_conninfo(), check_every_seconds=0.05)
    try:
        lease = locks.try_acquire(uuid.uuid4())
        assert lease is not None
        checked_until = time.monotonic() + 0.5
        while time.monotonic() < checked_until:
            assert locks.check_connection()
            time.sleep(0.05)
        assert locks.holds(lease) and is_followed(lease.fixture_id)
    finally:
        locks.close()


def test_the_lock_connection_is_opened_again_after_it_was_lost() -> None:
    locks = ProcessLocks(database_conninfo(), check_every_seconds=CHECK_EVERY)
    try:
        first = locks.try_acquire(uuid.uuid4())
        assert first is not None
        terminate_backend(first.pid)
        wait_for(lambda: not locks.holds(first), timeout=5)
        again = locks.try_acquire(first.fixture_id)
        assert again is not None and again.pid != first.pid
        assert is_followed(first.fixture_id)
    finally:
        locks.close()


def quiet_fixture(
    start_feed: StartFeed, make_fixture: Callable[..., Fixture]
) -> tuple[Fixture, Any]:
    """A fixture kicking off in an hour (its feed sends only heartbeats for a long while),
    and its simulator's counters."""
    fixture_id = uuid.uuid4()
    schedule = Schedule()
    schedule.add(fixture_id, kickoff=timezone.now() + dt.timedelta(hours=1))
    feed = start_feed(schedule=schedule, pace=1)
    return make_fixture(fixture_id), feed.stats


def follow_in_thread(fixture_id: uuid.UUID, locks: ProcessLocks) -> Future[Outcome]:
    return ThreadPoolExecutor(1).submit(follow, fixture_id, locks=locks)


def test_a_listener_whose_lock_connection_died_stops_and_writes_no_state(
    start_feed: StartFeed, make_fixture: Callable[..., Fixture]
) -> None:
    fixture, stats = quiet_fixture(start_feed, make_fixture)
    locks = ProcessLocks(database_conninfo(), check_every_seconds=CHECK_EVERY)
    try:
        running = follow_in_thread(fixture.id, locks)
        wait_for(lambda: stats.auth_ok == 1)
        wait_for(
            lambda: Fixture.objects.get(pk=fixture.id).listener_state == ListenerState.LISTENING
        )
        before = Fixture.objects.values("listener_state", "listener_error", "reconnects").get(
            pk=fixture.id
        )
        lease_pid = next(iter(locks._held.values())).pid  # the seam: whose session to end
        terminate_backend(lease_pid)
        assert running.result(timeout=10) is Outcome.LEASE_LOST
        after = Fixture.objects.values("listener_state", "listener_error", "reconnects").get(
            pk=fixture.id
        )
        assert after == before  # no "failed", no "stopped", no reconnect counted
        wait_for(lambda: stats.open_connections == 0, timeout=5)
    finally:
        locks.close()


def test_a_taken_over_listener_writes_none_of_its_state_columns_over_its_successors(
    start_feed: StartFeed, make_fixture: Callable[..., Fixture]
) -> None:
    fixture, stats = quiet_fixture(start_feed, make_fixture)
    locks = ProcessLocks(database_conninfo(), check_every_seconds=CHECK_EVERY)
    try:
        running = follow_in_thread(fixture.id, locks)
        wait_for(lambda: stats.auth_ok == 1)
        # What the successor on the other worker does: a new epoch and its own state.
        Fixture.objects.filter(pk=fixture.id).update(
            listener_epoch=F("listener_epoch") + 1,
            listener_state=ListenerState.CONNECTING,
            listener_error="successor's",
        )
        assert running.result(timeout=10) is Outcome.LEASE_LOST
        fixture.refresh_from_db()
        assert (fixture.listener_state, fixture.listener_error) == (
            ListenerState.CONNECTING,
            "successor's",
        )
    finally:
        locks.close()


def test_a_frozen_process_s_idle_lock_session_is_ended_by_postgres_and_then_noticed() -> None:
    # Frozen: the process asks nothing, so its session goes idle; its kernel would still
    # answer keepalives, so only the server's idle-session timeout frees the locks.
    locks = ProcessLocks(
        database_conninfo(), check_every_seconds=CHECK_EVERY, idle_session_seconds=1.5
    )
    try:
        lease = locks.try_acquire(uuid.uuid4())
        assert lease is not None
        with mock.patch.object(locks, "check_connection", return_value=True):  # frozen
            wait_for(lambda: not is_followed(lease.fixture_id), timeout=5)
            assert locks.holds(lease)  # it cannot know while frozen
        wait_for(lambda: not locks.holds(lease), timeout=CHECK_EVERY + 2)  # running again
    finally:
        locks.close()


def test_the_worker_s_lock_holder_asks_postgres_to_end_a_frozen_session_within_the_bound() -> None:
    locks = process_locks()
    lease = locks.try_acquire(uuid.uuid4())
    assert lease is not None
    try:
        conn = locks._conn  # the seam: the process's one lock connection
        assert conn is not None
        (timeout,) = conn.execute("SHOW idle_session_timeout").fetchone() or ("",)
        bound_ms = round(settings.DEAD_PEER_BOUNDS.user_timeout_seconds * 1000)
        assert timeout == f"{bound_ms // 1000}s"
    finally:
        locks.release(lease)
