"""The controller's side of a campaign: process faults, and how long recovery took.

It kills the worker that follows the most fixtures (and starts a replacement), restarts
the dedicated Redis and Postgres, and keeps dispatching fixtures that are followed
already. After each fault it polls who holds each fixture's advisory lock, so the time
until a new listener follows a fixture again is measured from Postgres, not from logs.
"""

from __future__ import annotations

import random
import signal
import subprocess
import threading
import time
from collections import Counter
from typing import Any

import psycopg
from celery import Celery
from django.conf import settings

from streams.feed.locks import LOCKS_APPLICATION
from tests.faults.records import CampaignConfig, Recovery
from tests.faults.services import PostgresCluster, ProductProcesses, RedisServer

# When, as a share of a match's length, the controller hits the processes.
PROCESS_FAULTS = (
    (0.22, "worker_kill"),
    (0.40, "redis_restart"),
    (0.55, "worker_kill"),
    (0.72, "postgres_restart"),
)
_LOCK_HOLDERS = """
    SELECT ((l.classid::bigint << 32) | l.objid::bigint), l.pid, a.application_name
    FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
    WHERE l.locktype = 'advisory' AND l.objsubid = 1 AND l.granted
"""


class Controller:
    def __init__(
        self,
        config: CampaignConfig,
        *,
        postgres: PostgresCluster,
        database: str,
        redis: RedisServer,
        processes: ProductProcesses,
        keys: dict[int, str],
    ) -> None:
        self.config = config
        self.postgres = postgres
        self.database = database
        self.redis = redis
        self.processes = processes
        self.keys = keys  # advisory lock key -> fixture id
        self.recoveries: list[Recovery] = []
        self.duplicates: dict[str, int] = {}
        self._random = random.Random(config.seed)
        # The product's workers read tests.settings: the same key prefix as they have.
        self._dispatcher = Celery(
            "fault-suite",
            broker=redis.url,
            broker_transport_options=settings.CELERY_BROKER_TRANSPORT_OPTIONS,
        )

    def process_fault(self, kind: str, ids: list[str]) -> None:
        before = self._lock_holders()
        at = time.monotonic()
        if kind == "worker_kill":
            victim = self._busiest_worker()
            victim.send_signal(signal.SIGKILL)
            victim.wait(10)
            self.processes.start_worker()  # the replacement, as an orchestrator would
        elif kind == "redis_restart":
            self.redis.restart()
        elif kind == "postgres_restart":
            self.postgres.restart()
        recovery = Recovery(kind, at, time.monotonic())
        self.recoveries.append(recovery)
        self._watch_recovery(recovery, before, ids)

    def _watch_recovery(self, recovery: Recovery, before: dict[str, int], ids: list[str]) -> None:
        """Poll who holds each fixture's lock until every fixture taken away is followed
        again by a new listener (or has finished). A kill takes the fixtures of one worker;
        a Postgres restart ends every session, so every lock."""
        deadline = time.monotonic() + 90
        settle = recovery.back_at + 3 * self.config.dispatch_interval
        while time.monotonic() < deadline:
            holders = self._lock_holders()
            finished = self.finished(ids)
            now = time.monotonic()
            for fixture_id in ids:
                holder, old = holders.get(fixture_id), before.get(fixture_id)
                if old is None:
                    continue  # nobody followed it when the fault hit: nothing to take away
                if holder != old and fixture_id not in recovery.lost:
                    recovery.lost[fixture_id] = now
                if fixture_id in recovery.lost and holder is not None and holder != old:
                    recovery.followed_again.setdefault(fixture_id, now)
            waiting = [
                f for f in recovery.lost if f not in recovery.followed_again and f not in finished
            ]
            if not waiting and now > settle:
                return
            time.sleep(0.05)

    def _busiest_worker(self) -> subprocess.Popen[bytes]:
        """The worker that follows the most fixtures: the one whose death costs most."""
        workers = self.processes.live_workers()
        by_pid = {worker.pid: worker for worker in workers}
        counts = Counter(
            int(name.removeprefix(LOCKS_APPLICATION))
            for name in self._lock_holders(names=True).values()
            if name.startswith(LOCKS_APPLICATION)
        )
        busiest = [pid for pid, _ in counts.most_common() if pid in by_pid]
        return by_pid[busiest[0]] if busiest else self._random.choice(workers)

    def _lock_holders(self, *, names: bool = False) -> dict[str, Any]:
        """Fixture id to the backend pid holding its lock (or that session's name)."""
        try:
            with psycopg.connect(self.postgres.url(self.database), connect_timeout=2) as conn:
                rows = conn.execute(_LOCK_HOLDERS).fetchall()
        except psycopg.Error:
            return {}
        holders: dict[str, Any] = {}
        for key, pid, name in rows:
            signed = key - (1 << 64) if key >= 1 << 63 else key
            if signed in self.keys:
                holders[self.keys[signed]] = name if names else int(pid)
        return holders

    def finished(self, ids: list[str]) -> set[str]:
        try:
            with psycopg.connect(self.postgres.url(self.database), connect_timeout=2) as conn:
                rows = conn.execute(
                    "SELECT id::text FROM streams_fixture WHERE finished AND id::text = ANY(%s)",
                    [ids],
                ).fetchall()
        except psycopg.Error:
            return set()
        return {row[0] for row in rows}

    def wait_until_finished(self, ids: list[str], timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while len(self.finished(ids)) < len(ids):
            if time.monotonic() > deadline:
                missing = sorted(set(ids) - self.finished(ids))
                raise AssertionError(f"matches not finished in {timeout:.0f} s: {missing}")
            time.sleep(0.5)

    def duplicate_dispatches(self, ids: list[str], stop: threading.Event) -> None:
        """Send listener tasks for fixtures that are followed already, as a double beat
        or an impatient operator would; each must exit at once without storing."""
        while not stop.wait(self.config.duplicate_every):
            followed = self._lock_holders()
            for fixture_id in ids:
                if fixture_id not in followed:
                    continue
                try:
                    self._dispatcher.send_task(
                        "streams.tasks.follow_fixture",
                        args=[fixture_id],
                        queue="listeners",
                        expires=10,
                        retry=False,
                    )
                except Exception:  # Redis is restarting: this one was not sent
                    continue
                self.duplicates[fixture_id] = self.duplicates.get(fixture_id, 0) + 1
