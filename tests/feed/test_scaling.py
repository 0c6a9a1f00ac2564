"""Scaling out: two listener workers and a real beat share 100 live fixtures, each followed
once, and when one worker is killed the other takes its fixtures over at the next tick."""

from __future__ import annotations

import datetime as dt
import logging
import os
import signal
import subprocess
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings as django_settings
from django.db import connection
from django.utils import timezone

from dde_site import processes
from dde_site.celery import app as celery_app
from streams.feed.locks import LOCKS_APPLICATION, lock_key
from streams.models import Fixture
from streams.simulator import Schedule
from tests.conftest import StartFeed
from tests.support.processes import ROOT, worker_database_url
from tests.support.waiting import wait_for

log = logging.getLogger(__name__)

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]

FIXTURES = 100
TICK_SECONDS = 2.0
# Time for the surviving worker to start the listeners it was sent, on a shared machine.
MARGIN_SECONDS = 8.0

_LOCK_HOLDERS = """
    SELECT l.classid::bigint, l.objid::bigint, a.application_name
    FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
    WHERE l.locktype = 'advisory' AND l.objsubid = 1 AND l.granted
      AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())
"""


def lock_holders() -> dict[int, int]:
    """Advisory lock key -> OS pid of the worker process holding it (each worker names
    its lock connection after its pid: LOCKS_APPLICATION and the pid)."""
    with connection.cursor() as cursor:
        cursor.execute(_LOCK_HOLDERS)
        rows = cursor.fetchall()
    holders = {}
    for classid, objid, application_name in rows:
        unsigned = (int(classid) << 32) | int(objid)
        key = unsigned - (1 << 64) if unsigned >= 1 << 63 else unsigned
        holders[key] = int(application_name.removeprefix(LOCKS_APPLICATION))
    return holders


@pytest.fixture
def start_beat(tmp_path: Path) -> Iterator[Callable[[], subprocess.Popen[bytes]]]:
    """Celery beat as the beat container runs it, ticking every TICK_SECONDS."""
    started: list[subprocess.Popen[bytes]] = []

    def start() -> subprocess.Popen[bytes]:
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "tests.settings",
            "DATABASE_URL": worker_database_url(),
            "REDIS_URL": django_settings.REDIS_URL,
            "LOG_LEVEL": "WARNING",
        }
        options = ["--schedule", str(tmp_path / "beat-schedule"), "--loglevel", "WARNING"]
        beat = subprocess.Popen(processes.command(["beat", *options]), cwd=ROOT, env=env)
        started.append(beat)
        return beat

    yield start
    for beat in started:
        beat.terminate()
        beat.wait(timeout=10)


def test_two_workers_split_100_fixtures_and_one_takes_over_when_the_other_is_killed(
    start_feed: StartFeed,
    make_fixture: Callable[..., Fixture],
    start_worker: Callable[..., subprocess.Popen[bytes]],
    start_beat: Callable[[], subprocess.Popen[bytes]],
    monkeypatch: Any,
) -> None:
    # Matches that kicked off a minute ago and play in real time: live for the whole test.
    schedule = Schedule()
    ids = [uuid.uuid4() for _ in range(FIXTURES)]
    for fixture_id in ids:
        schedule.add(fixture_id, kickoff=timezone.now() - dt.timedelta(minutes=1))
    feed = start_feed(schedule=schedule, pace=1)
    for fixture_id in ids:
        make_fixture(fixture_id)
    keys = {lock_key(fixture_id): fixture_id for fixture_id in ids}

    # Workers and beat read the tick from the environment, as in production.
    monkeypatch.setenv("DISPATCH_INTERVAL_SECONDS", str(TICK_SECONDS))
    workers = [start_worker(concurrency=FIXTURES + 20) for _ in range(2)]
    wait_for(lambda: len(celery_app.control.ping(timeout=0.5)) == 2, timeout=60)
    start_beat()

    wait_for(lambda: set(lock_holders()) >= set(keys), timeout=90)
    holders = {key: pid for key, pid in lock_holders().items() if key in keys}
    share = {worker.pid: sum(pid == worker.pid for pid in holders.values()) for worker in workers}
    assert sum(share.values()) == FIXTURES  # every fixture held by one of the two workers
    assert all(count > 0 for count in share.values()), share  # and both took a share
    # One websocket per fixture: nobody follows a fixture twice.
    wait_for(lambda: feed.stats.open_connections == FIXTURES, timeout=30)
    epochs = Fixture.objects.filter(id__in=ids).values_list("listener_epoch", flat=True)
    assert set(epochs) == {1}  # each fixture's listener started exactly once

    killed, survivor = workers
    orphans = {key for key, pid in holders.items() if pid == killed.pid}
    killed.send_signal(signal.SIGKILL)
    killed.wait(timeout=10)
    died = time.monotonic()

    def survivor_follows_everything() -> bool:
        now_held = lock_holders()
        return all(now_held.get(key) == survivor.pid for key in keys)

    wait_for(survivor_follows_everything, timeout=TICK_SECONDS + MARGIN_SECONDS)
    took_over_in = time.monotonic() - died
    log.info("split %s; %d fixtures taken over in %.1f s", share, len(orphans), took_over_in)
    wait_for(lambda: feed.stats.open_connections == FIXTURES, timeout=30)
    restarted = {keys[key] for key in orphans}
    for fixture in Fixture.objects.filter(id__in=ids):
        # Taken over once by the survivor; its own fixtures were never restarted.
        assert fixture.listener_epoch == (2 if fixture.id in restarted else 1)
