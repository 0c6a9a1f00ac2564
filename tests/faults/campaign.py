"""A fault campaign: live matches played fast through the whole product while faults rain.

The simulator (in this process) drops, stalls, corrupts and repeats on the wire, answers
503 and refuses the token for a while; a controller thread kills listener workers,
restarts Redis and Postgres, and dispatches fixtures that are already followed; viewers
leave and come back. Everything is recorded for ``checks.py``: the simulator's journal,
the controller's log with recovery times, the viewers, and what Postgres holds at the end.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import random
import signal
import subprocess
import threading
import time
import uuid
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import dj_database_url
import httpx
import psycopg
from celery import Celery
from django.core.management import call_command
from django.db import connections
from django.utils import timezone

from streams.locks import LOCKS_APPLICATION, lock_key
from streams.models import Action, Fixture, Packet, RejectedFrame
from streams.simulator import FaultSpec, Schedule, Simulator, generate_match
from streams.simulator.journal import Entry
from tests.faults.services import PostgresCluster, ProductProcesses, RedisServer
from tests.faults.viewers import Viewer, ViewerCrowd

ALIAS = "faults"
DATABASE = "dde_faults"
TOKEN = "fault-suite-token"
ACCEPT = "application/vnd.imggaming.dde.api+json;version=1"
# Every fault the simulator injects, each at random positions; see docs/simulator.md.
WIRE_FAULTS = (
    "drop_random=22,drop_code=mix,stall=160:30,malformed=25,repeat=25,http503=6,"
    "reject_token_every=17:1.2"
)
# When, as a share of a match's length, the controller hits the processes.
PROCESS_FAULTS = (
    (0.22, "worker_kill"),
    (0.40, "redis_restart"),
    (0.55, "worker_kill"),
    (0.72, "postgres_restart"),
)
# Records which listener stored each packet (the writer names its epoch, streams.ingest).
AUDIT_SQL = """
CREATE TABLE fault_packet_writes (
    fixture_id uuid NOT NULL, position integer NOT NULL, writer_epoch bigint,
    fixture_epoch bigint, backend_pid integer NOT NULL, at timestamptz NOT NULL
);
CREATE FUNCTION fault_note_packet_write() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO fault_packet_writes VALUES (
        NEW.fixture_id, NEW.position,
        NULLIF(current_setting('dde.writer_epoch', true), '')::bigint,
        (SELECT listener_epoch FROM streams_fixture WHERE id = NEW.fixture_id),
        pg_backend_pid(), clock_timestamp());
    RETURN NEW;
END $$;
CREATE TRIGGER fault_packet_writes AFTER INSERT ON streams_packet
    FOR EACH ROW EXECUTE FUNCTION fault_note_packet_write();
"""
_LOCK_HOLDERS = """
    SELECT ((l.classid::bigint << 32) | l.objid::bigint), l.pid, a.application_name
    FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
    WHERE l.locktype = 'advisory' AND l.objsubid = 1 AND l.granted
"""


@dataclass(frozen=True)
class CampaignConfig:
    matches: int = 10
    wave_size: int = 10
    pace: float = 80.0  # a match lasts about 100 s of wall time
    heartbeat: float = 0.5
    watchdog: float = 2.5
    dispatch_interval: float = 2.0
    auth_retry: float = 1.0
    viewers_per_match: int = 2  # that leave at random; and one steady viewer each
    viewer_stay: tuple[float, float] = (2.0, 8.0)
    duplicate_every: float = 3.0
    seed: int = 6

    @classmethod
    def from_env(cls, *, soak: bool) -> CampaignConfig:
        default = 50 if soak else 10
        matches = int(os.environ.get("FAULT_SOAK_MATCHES", default))
        return cls(
            matches=matches,
            wave_size=min(matches, int(os.environ.get("FAULT_WAVE_SIZE", 10))),
            pace=float(os.environ.get("FAULT_PACE", 80.0)),
            seed=int(os.environ.get("FAULT_SEED", 6)),
        )


@dataclass
class Recovery:
    """A process fault and, per fixture it took away from its listener, when it came back."""

    kind: str
    at: float
    back_at: float  # when the service was back (= at for a kill)
    lost: dict[str, float] = field(default_factory=dict)
    followed_again: dict[str, float] = field(default_factory=dict)


@dataclass
class MatchRecord:
    fixture_id: str
    wave: int
    expected: list[dict[str, Any]] = field(default_factory=list)
    stored: list[tuple[int, Any]] = field(default_factory=list)
    actions: dict[str, dict[str, Any]] = field(default_factory=dict)
    fixture: dict[str, Any] = field(default_factory=dict)
    fixture_static: dict[str, Any] = field(default_factory=dict)
    writes: list[tuple[int, int | None, int | None, int, dt.datetime]] = field(default_factory=list)
    rejected_frames: int = 0
    reconnects: int = 0
    journal: list[Entry] = field(default_factory=list)
    viewers: list[Viewer] = field(default_factory=list)
    fresh_snapshot: dict[str, Any] = field(default_factory=dict)
    duplicate_dispatches: int = 0
    duplicates_refused: int = 0


@dataclass
class CampaignResult:
    config: CampaignConfig
    matches: list[MatchRecord]
    recoveries: list[Recovery]
    viewers_not_final: list[Viewer]
    wall_seconds: float
    wire_faults: str = WIRE_FAULTS


class Campaign:
    def __init__(self, config: CampaignConfig, artefacts: Path) -> None:
        self.config = config
        self.logs = artefacts / "faults"
        self.logs.mkdir(parents=True, exist_ok=True)
        for old in self.logs.glob("*.log"):
            old.unlink()
        self.postgres = PostgresCluster(self.logs)
        self.redis = RedisServer(self.logs)
        self.recoveries: list[Recovery] = []
        self.duplicates: dict[str, int] = {}
        self._random = random.Random(config.seed)
        self._keys: dict[int, str] = {}

    # -- setting up -------------------------------------------------------------------

    def start_services(self) -> None:
        self.postgres.start()
        with psycopg.connect(self.postgres.url("postgres"), autocommit=True) as conn:
            conn.execute(f"CREATE DATABASE {DATABASE}")
        settings = dj_database_url.parse(self.postgres.url(DATABASE), conn_max_age=0)
        configured = connections.configure_settings({**connections.settings, ALIAS: settings})
        connections.settings[ALIAS] = configured[ALIAS]
        call_command("migrate", database=ALIAS, verbosity=0)
        with connections[ALIAS].cursor() as cursor:
            cursor.execute(AUDIT_SQL)
        self.redis.start()
        spec = FaultSpec.parse(f"{WIRE_FAULTS},seed={self.config.seed}")
        self.schedule = Schedule()
        self.simulator = Simulator(
            schedule=self.schedule,
            token=TOKEN,
            pace=self.config.pace,
            heartbeat=self.config.heartbeat,
            faults=spec,
        )
        self.feed = self.simulator.start_in_thread("127.0.0.1", 0)
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "tests.settings",
            "DATABASE_URL": self.postgres.url(DATABASE),
            "REDIS_URL": self.redis.url,
            "CHANNEL_LAYER_PREFIX": "faults",
            "DDE_STREAMS_URL": self.feed.ws_url,
            "DDE_API_URL": self.feed.http_url,
            "DDE_AUTH_TOKEN": TOKEN,
            "DDE_WATCHDOG_SECONDS": str(self.config.watchdog),
            "DISPATCH_INTERVAL_SECONDS": str(self.config.dispatch_interval),
            "LISTENER_AUTH_RETRY_SECONDS": str(self.config.auth_retry),
            "LOG_LEVEL": "INFO",
            "DEBUG": "true",
        }
        env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        self.processes = ProductProcesses(env, self.logs)
        self.processes.start_worker()
        self.processes.start_worker()
        self.processes.start_beat(self.postgres.data)
        daphne_port = self.processes.start_daphne()
        self.crowd = ViewerCrowd(
            f"ws://127.0.0.1:{daphne_port}",
            seed=self.config.seed,
            leave_after=self.config.viewer_stay,
        )
        self.dispatcher = Celery("fault-suite", broker=self.redis.url)

    def stop_services(self) -> None:
        for stop in (
            getattr(self, "crowd", None) and self.crowd.stop,
            getattr(self, "processes", None) and self.processes.stop_all,
            getattr(self, "feed", None) and self.feed.stop,
            self.redis.stop,
        ):
            if stop:
                stop()
        if ALIAS in connections.settings:
            connections[ALIAS].close()
        self.postgres.destroy()

    # -- playing ----------------------------------------------------------------------

    def run(self) -> CampaignResult:
        started = time.monotonic()
        matches: list[MatchRecord] = []
        waves = range(0, self.config.matches, self.config.wave_size)
        for wave, first in enumerate(waves):
            count = min(self.config.wave_size, self.config.matches - first)
            matches += self._play_wave(wave, count)
        final = {m.fixture_id: len(m.expected) - 1 for m in matches}
        not_final = self.crowd.finish(final, timeout=90)
        for record in matches:
            record.fresh_snapshot = self.crowd.fresh_snapshot(record.fixture_id)
            record.viewers = [v for v in self.crowd.viewers if v.fixture_id == record.fixture_id]
        self.processes.stop_all()
        connections[ALIAS].close()  # opened before the Postgres restart, so cut by it
        for record in matches:
            self._collect(record)
        self._dump_timeline()
        return CampaignResult(
            self.config, matches, self.recoveries, not_final, time.monotonic() - started
        )

    def _play_wave(self, wave: int, count: int) -> list[MatchRecord]:
        connections[ALIAS].close()  # a session from before the last wave's restart is gone
        records = [self._schedule_match(wave, index) for index in range(count)]
        ids = [r.fixture_id for r in records]
        length = self._match_seconds(records)
        wave_start = time.monotonic()
        stop = threading.Event()
        duplicates = threading.Thread(target=self._duplicate_dispatches, args=(ids, stop))
        duplicates.start()
        try:
            for share, kind in PROCESS_FAULTS:
                self._sleep_until(wave_start + share * length)
                self._process_fault(kind, ids)
            self._wait_until_finished(ids, timeout=length * 1.5 + 180)
        finally:
            stop.set()
            duplicates.join()
        for record in records:
            record.expected = self._feed_log(record.fixture_id)
        return records

    def _schedule_match(self, wave: int, index: int) -> MatchRecord:
        fixture_id = uuid.uuid4()
        kickoff = timezone.now() + dt.timedelta(seconds=3 + index * 0.7)
        self.schedule.add(fixture_id, kickoff=kickoff)
        match = generate_match(fixture_id, kickoff, self.config.pace)
        now = timezone.now()
        Fixture.objects.using(ALIAS).create(
            id=fixture_id,
            home_team=match.home.name,
            away_team=match.away.name,
            kickoff=kickoff,
            listen_from=now - dt.timedelta(minutes=1),
            listen_until=now + dt.timedelta(hours=2),
        )
        self._keys[lock_key(fixture_id)] = str(fixture_id)
        self.crowd.watch(str(fixture_id), self.config.viewers_per_match, steady=1)
        return MatchRecord(str(fixture_id), wave)

    def _match_seconds(self, records: list[MatchRecord]) -> float:
        match = self.schedule.match(uuid.UUID(records[0].fixture_id), self.config.pace)
        return (match.release_offsets[-1] - match.release_offsets[0]) / self.config.pace

    @staticmethod
    def _sleep_until(deadline: float) -> None:
        time.sleep(max(0.0, deadline - time.monotonic()))

    # -- process faults ---------------------------------------------------------------

    def _process_fault(self, kind: str, ids: list[str]) -> None:
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
            finished = self._finished(ids)
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
            with psycopg.connect(self.postgres.url(DATABASE), connect_timeout=2) as conn:
                rows = conn.execute(_LOCK_HOLDERS).fetchall()
        except psycopg.Error:
            return {}
        holders: dict[str, Any] = {}
        for key, pid, name in rows:
            signed = key - (1 << 64) if key >= 1 << 63 else key
            if signed in self._keys:
                holders[self._keys[signed]] = name if names else int(pid)
        return holders

    def _finished(self, ids: list[str]) -> set[str]:
        try:
            with psycopg.connect(self.postgres.url(DATABASE), connect_timeout=2) as conn:
                rows = conn.execute(
                    "SELECT id::text FROM streams_fixture WHERE finished AND id::text = ANY(%s)",
                    [ids],
                ).fetchall()
        except psycopg.Error:
            return set()
        return {row[0] for row in rows}

    def _wait_until_finished(self, ids: list[str], timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while len(self._finished(ids)) < len(ids):
            if time.monotonic() > deadline:
                missing = sorted(set(ids) - self._finished(ids))
                raise AssertionError(f"matches not finished in {timeout:.0f} s: {missing}")
            time.sleep(0.5)

    def _duplicate_dispatches(self, ids: list[str], stop: threading.Event) -> None:
        """Send listener tasks for fixtures that are followed already, as a double beat
        or an impatient operator would; each must exit at once without storing."""
        while not stop.wait(self.config.duplicate_every):
            followed = self._lock_holders()
            for fixture_id in ids:
                if fixture_id not in followed:
                    continue
                try:
                    self.dispatcher.send_task(
                        "streams.tasks.follow_fixture",
                        args=[fixture_id],
                        queue="listeners",
                        expires=10,
                        retry=False,
                    )
                except Exception:  # Redis is restarting: this one was not sent
                    continue
                self.duplicates[fixture_id] = self.duplicates.get(fixture_id, 0) + 1

    # -- collecting -------------------------------------------------------------------

    def _feed_log(self, fixture_id: str) -> list[dict[str, Any]]:
        response = httpx.get(
            f"{self.feed.http_url}/soccer/fixtures/{fixture_id}/actions",
            headers={"Accept": ACCEPT, "Authorization": f"Bearer {TOKEN}"},
            timeout=30,
        )
        response.raise_for_status()
        packets: list[dict[str, Any]] = response.json()
        return packets

    def _collect(self, record: MatchRecord) -> None:
        fixture_id = record.fixture_id
        fixture = Fixture.objects.using(ALIAS).get(pk=fixture_id)
        record.fixture = fixture.to_payload()
        record.fixture_static = {
            name: getattr(fixture, name) for name in ("id", "home_team", "away_team", "kickoff")
        }
        record.reconnects = fixture.reconnects
        packets = Packet.objects.using(ALIAS).filter(fixture_id=fixture_id).order_by("position")
        record.stored = list(packets.values_list("position", "payload"))
        actions = Action.objects.using(ALIAS).filter(fixture_id=fixture_id)
        record.actions = {str(a.action_id): a.to_payload() for a in actions}
        record.rejected_frames = (
            RejectedFrame.objects.using(ALIAS).filter(fixture_id=fixture_id).count()
        )
        with connections[ALIAS].cursor() as cursor:
            cursor.execute(
                "SELECT position, writer_epoch, fixture_epoch, backend_pid, at"
                " FROM fault_packet_writes WHERE fixture_id = %s ORDER BY at",
                [fixture_id],
            )
            record.writes = list(cursor.fetchall())
        record.journal = self.simulator.journal.entries(fixture_id)
        record.duplicate_dispatches = self.duplicates.get(fixture_id, 0)
        record.duplicates_refused = self._count_in_logs("listener.already_followed", fixture_id)

    def _dump_timeline(self) -> None:
        """The journal and the process faults with wall-clock times, to read beside the
        workers' logs when a figure needs explaining."""
        offset = time.time() - time.monotonic()

        def wall(at: float) -> str:
            return dt.datetime.fromtimestamp(at + offset, dt.UTC).isoformat()

        with (self.logs / "timeline.jsonl").open("w") as out:
            events = [
                {
                    "at": wall(e.at),
                    "fixture": e.fixture_id,
                    "connection": e.connection,
                    "kind": e.kind,
                    "detail": e.detail,
                }
                for e in self.simulator.journal.entries()
            ] + [
                {
                    "at": wall(r.at),
                    "kind": r.kind,
                    "back": wall(r.back_at),
                    "lost": sorted(r.lost),
                    "followed_again": {f: t - r.at for f, t in r.followed_again.items()},
                }
                for r in self.recoveries
            ]
            for event in sorted(events, key=lambda e: str(e["at"])):
                out.write(json.dumps(event) + "\n")

    def _count_in_logs(self, event: str, fixture_id: str) -> int:
        count = 0
        for log in self.logs.glob("worker-*.log"):
            for line in log.read_text(errors="replace").splitlines():
                if event in line and fixture_id in line:
                    count += 1
        return count


def run_campaign(
    config: CampaignConfig, artefacts: Path, unblock: Callable[[], Any]
) -> CampaignResult:
    campaign = Campaign(config, artefacts)
    with unblock():
        try:
            campaign.start_services()
            return campaign.run()
        finally:
            campaign.stop_services()
