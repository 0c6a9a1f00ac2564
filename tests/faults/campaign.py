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
import threading
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import dj_database_url
import httpx
import psycopg
from django.core.management import call_command
from django.db import connections
from django.utils import timezone

from streams.feed.locks import lock_key
from streams.models import Action, Fixture, Packet, RejectedFrame
from streams.simulator import FaultSpec, Schedule, Simulator, generate_match
from tests.faults.controller import PROCESS_FAULTS, Controller
from tests.faults.records import WIRE_FAULTS, CampaignConfig, CampaignResult, MatchRecord
from tests.faults.services import PostgresCluster, ProductProcesses, RedisServer
from tests.faults.viewers import ViewerCrowd

ALIAS = "faults"
DATABASE = "dde_faults"
TOKEN = "fault-suite-token"
ACCEPT = "application/vnd.imggaming.dde.api+json;version=1"
# Records which listener stored each packet (the writer names its epoch, streams.feed.writer).
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


class Campaign:
    def __init__(self, config: CampaignConfig, artefacts: Path) -> None:
        self.config = config
        self.logs = artefacts / "faults"
        self.logs.mkdir(parents=True, exist_ok=True)
        for old in self.logs.glob("*.log"):
            old.unlink()
        self.postgres = PostgresCluster(self.logs)
        self.redis = RedisServer(self.logs)
        self.keys: dict[int, str] = {}  # advisory lock key -> fixture id

    # -- setting up -------------------------------------------------------------------

    def start_services(self) -> None:
        self._start_database()
        self.redis.start()
        self._start_feed()
        self._start_product()
        self.controller = Controller(
            self.config, postgres=self.postgres, database=DATABASE, redis=self.redis,
            processes=self.processes, keys=self.keys,
        )  # fmt: skip

    def _start_database(self) -> None:
        """The cluster, the schema, the audit trigger, and an ORM alias to read it."""
        self.postgres.start()
        with psycopg.connect(self.postgres.url("postgres"), autocommit=True) as conn:
            conn.execute(f"CREATE DATABASE {DATABASE}")
        settings = dj_database_url.parse(self.postgres.url(DATABASE), conn_max_age=0)
        configured = connections.configure_settings({**connections.settings, ALIAS: settings})
        connections.settings[ALIAS] = configured[ALIAS]
        call_command("migrate", database=ALIAS, verbosity=0)
        with connections[ALIAS].cursor() as cursor:
            cursor.execute(AUDIT_SQL)

    def _start_feed(self) -> None:
        self.schedule = Schedule()
        self.simulator = Simulator(
            schedule=self.schedule, token=TOKEN, pace=self.config.pace,
            heartbeat=self.config.heartbeat,
            faults=FaultSpec.parse(f"{WIRE_FAULTS},seed={self.config.seed}"),
        )  # fmt: skip
        self.feed = self.simulator.start_in_thread("127.0.0.1", 0)

    def _start_product(self) -> None:
        """Two listener workers, beat and the web process, as `make run` starts them, pointed at the
        dedicated services; and the viewers, on the web process."""
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
        web_port = self.processes.start_web()
        self.crowd = ViewerCrowd(
            f"ws://127.0.0.1:{web_port}",
            seed=self.config.seed,
            leave_after=self.config.viewer_stay,
        )

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
            self.config, matches, self.controller.recoveries, not_final, time.monotonic() - started
        )

    def _play_wave(self, wave: int, count: int) -> list[MatchRecord]:
        connections[ALIAS].close()  # a session from before the last wave's restart is gone
        records = [self._schedule_match(wave, index) for index in range(count)]
        ids = [r.fixture_id for r in records]
        length = self._match_seconds(records)
        wave_start = time.monotonic()
        stop = threading.Event()
        duplicates = threading.Thread(target=self.controller.duplicate_dispatches, args=(ids, stop))
        duplicates.start()
        try:
            for share, kind in PROCESS_FAULTS:
                self._sleep_until(wave_start + share * length)
                self.controller.process_fault(kind, ids)
            self.controller.wait_until_finished(ids, timeout=length * 1.5 + 180)
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
        self.keys[lock_key(fixture_id)] = str(fixture_id)
        self.crowd.watch(str(fixture_id), self.config.viewers_per_match, steady=1)
        return MatchRecord(str(fixture_id), wave)

    def _match_seconds(self, records: list[MatchRecord]) -> float:
        match = self.schedule.match(uuid.UUID(records[0].fixture_id), self.config.pace)
        return (match.release_offsets[-1] - match.release_offsets[0]) / self.config.pace

    @staticmethod
    def _sleep_until(deadline: float) -> None:
        time.sleep(max(0.0, deadline - time.monotonic()))

    # -- process faults ---------------------------------------------------------------

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
        # What the log does not say: the names and kick-off staff or the import gave, the
        # competition and venue of the vendor's fixture, and a coverage level from its
        # fixture list (the log may change it; if it does, the stored value is the log's and
        # the replay sets it again).
        static = (
            "id",
            "home_team",
            "away_team",
            "kickoff",
            "coverage_level",
            "competition",
            "venue",
        )
        record.fixture_static = {name: getattr(fixture, name) for name in static}
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
        record.duplicate_dispatches = self.controller.duplicates.get(fixture_id, 0)
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
                for r in self.controller.recoveries
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
