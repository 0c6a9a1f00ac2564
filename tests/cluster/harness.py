"""The cluster harness: live matches through the product's real processes on hosts that
are network namespaces, while a host is cut off, frozen or healed.

It is the fault campaign (``tests/faults/campaign.py``) on another network: the same
dedicated Postgres (with its packet audit trigger) and Redis, the same simulator,
viewers and the web process, the same records and checks (``tests/faults/checks.py``); but each
listener worker runs on a host of its own (``tests/cluster/network.py``), the services
listen on the bridge, and the wire carries no faults of its own, so that what the checks
find is the network fault's. The controller measures from Postgres who holds each
fixture's lock, as the fault suite's does. Beat and the simulator have hosts of their own;
the viewers reach two web hosts through HAProxy (``tests/cluster/web.py``), both on the
machine's own namespace with Postgres and Redis.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import math
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import psycopg
import redis
from celery import Celery
from django.conf import settings
from django.core.management import call_command
from django.db import connections

from dde_site.database_url import parse_database_url
from dde_site.redis_config import RedisTarget, celery_broker
from streams.feed.locks import LOCKS_APPLICATION
from streams.simulator import Schedule, Simulator
from tests.cluster.network import BRIDGE_ADDRESS, SUBNET, Host, Network, inside
from tests.cluster.viewers import HostNotingCrowd, ViewerConnection
from tests.cluster.web import WebTier
from tests.faults.campaign import ALIAS, AUDIT_SQL, DATABASE, TOKEN, Campaign
from tests.faults.controller import Controller
from tests.faults.records import CampaignConfig, CampaignResult, Recovery
from tests.faults.services import PostgresCluster, ProductProcesses, RedisServer, free_port
from tests.support.processes import ROOT

# Every write of a fixture's listener state, with the address of the session that made it:
# a healed worker must write none for the fixtures it lost (issue #18).
STATE_AUDIT_SQL = """
CREATE TABLE cluster_state_writes (
    fixture_id uuid NOT NULL, listener_state text NOT NULL, client inet, at timestamptz NOT NULL
);
CREATE FUNCTION cluster_note_state_write() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF (NEW.listener_state, NEW.listener_error, NEW.reconnects, NEW.last_frame_at)
       IS DISTINCT FROM (OLD.listener_state, OLD.listener_error, OLD.reconnects, OLD.last_frame_at)
    THEN
        INSERT INTO cluster_state_writes
        VALUES (NEW.id, NEW.listener_state, inet_client_addr(), clock_timestamp());
    END IF;
    RETURN NEW;
END $$;
CREATE TRIGGER cluster_state_writes AFTER UPDATE ON streams_fixture
    FOR EACH ROW EXECUTE FUNCTION cluster_note_state_write();
"""

# A lock session of the worker opened after the fault ended (not a survivor from before).
_LOCK_SESSIONS = (
    "SELECT count(*) FROM pg_stat_activity WHERE application_name = %s AND backend_start > %s"
)


def since_wall(monotonic: float) -> dt.datetime:
    return dt.datetime.now(dt.UTC) - dt.timedelta(seconds=time.monotonic() - monotonic)


@dataclass
class RedisFailover:
    at: float
    started_wall: dt.datetime
    promoted: float | None = None  # seconds until the Sentinel named the replica master
    tasks_again: float | None = None  # until a worker handled a task sent after the fault


def first_logged_after(event: str, after: dt.datetime, logs: Path) -> dt.datetime | None:
    """The time of the first line of ``event`` after ``after`` in the workers' logs."""
    times = []
    for log in logs.glob("worker-*.log"):
        for line in log.read_text(errors="replace").splitlines():
            if event in line:
                with contextlib.suppress(ValueError):
                    at = dt.datetime.fromisoformat(line.split()[0].replace("Z", "+00:00"))
                    if at > after:
                        times.append(at)
    return min(times, default=None)


class ReplicatedPostgres:
    """The harness's Postgres: a primary and a streaming replica (``pg_basebackup -R``),
    both on the bridge; ``url`` names both with ``target_session_attrs=read-write``, as an
    operator's DATABASE_URL would, so every client finds whichever accepts writes."""

    def __init__(self, logs: Path) -> None:
        self.primary = PostgresCluster(logs, listen=BRIDGE_ADDRESS, trusted=str(SUBNET))
        self.replica = PostgresCluster(logs, listen=BRIDGE_ADDRESS, trusted=str(SUBNET))
        self.replica.log = logs / "postgres-replica.log"
        self.replica.log.touch()
        if os.geteuid() == 0:
            shutil.chown(self.replica.log, "postgres", "postgres")
        self.data = self.primary.data  # where beat keeps its schedule

    def url(self, database: str) -> str:
        hosts = f"127.0.0.1:{self.primary.port},127.0.0.1:{self.replica.port}"
        return f"postgres://postgres@{hosts}/{database}?target_session_attrs=read-write"

    def start(self) -> None:
        self.primary.start()
        self.replica._run(
            "pg_basebackup", "-h", "127.0.0.1", "-p", str(self.primary.port), "-U", "postgres",
            "-D", str(self.replica.data / "data"), "-R", "-X", "stream",
        )  # fmt: skip
        self.replica.start()  # a standby: the copy has standby.signal and primary_conninfo
        self._make_the_standby_synchronous()

    def _make_the_standby_synchronous(self) -> None:
        """What docs/operations.md asks of an operator whose primary has a standby to
        promote: ``synchronous_standby_names``, so that a commit made with
        ``synchronous_commit`` on returns only once the standby has it. Set after the base
        backup, so that the standby, once promoted, does not wait for a standby of its own."""
        with psycopg.connect(self.primary.url("postgres"), autocommit=True) as conn:
            conn.execute("ALTER SYSTEM SET synchronous_standby_names = '*'")
            conn.execute("SELECT pg_reload_conf()")
            deadline = time.monotonic() + 30
            query = "SELECT count(*) FROM pg_stat_replication WHERE sync_state = 'sync'"
            while conn.execute(query).fetchone() != (1,):
                if time.monotonic() > deadline:
                    raise RuntimeError("the replica is not a synchronous standby after 30 s")
                time.sleep(0.1)

    def fail_over(self) -> None:
        """The primary dies at once (no shutdown checkpoint, as in a crash) and the
        replica is promoted, as an operator's failover tool would."""
        self.primary.stop("immediate")
        self.replica._run("pg_ctl", "-D", str(self.replica.data / "data"), "-w", "promote")

    def destroy(self) -> None:
        self.replica.destroy()
        self.primary.destroy()


class SentinelledRedis:
    """The harness's Redis: a master, its replica and three Sentinels (quorum 2, so a
    failover needs two of them to agree, as in production), on the bridge."""

    NAME = "dde-cluster"
    SENTINELS = 3
    QUORUM = 2

    def __init__(self, logs: Path) -> None:
        listen = ("--tcp-keepalive", "5", "--protected-mode", "no")
        self.master = RedisServer(logs, bind=BRIDGE_ADDRESS, extra=listen)
        self.replica = RedisServer(
            logs, bind=BRIDGE_ADDRESS,
            extra=(*listen, "--replicaof", BRIDGE_ADDRESS, str(self.master.port)),
        )  # fmt: skip
        self.replica.log = logs / "redis-replica.log"
        self.logs = logs
        self.ports = [free_port() for _ in range(self.SENTINELS)]
        self._sentinels: list[subprocess.Popen[bytes]] = []

    @property
    def url(self) -> str:
        return self.master.url  # the database number; the host is not used with Sentinels

    def target(self) -> RedisTarget:
        sentinels = tuple((BRIDGE_ADDRESS, port) for port in self.ports)
        return RedisTarget(self.master.url, sentinels, self.NAME)

    def start(self) -> None:
        self.master.start()
        self.replica.start()
        for i, port in enumerate(self.ports):
            # Each Sentinel rewrites its own file with what it learns (its peers, the replica).
            config = self.logs / f"sentinel-{i}.conf"
            config.write_text(
                f"port {port}\nbind 127.0.0.1 {BRIDGE_ADDRESS}\nprotected-mode no\n"
                f"logfile {self.logs / f'sentinel-{i}.log'}\n"
                f"sentinel monitor {self.NAME} {BRIDGE_ADDRESS} {self.master.port} {self.QUORUM}\n"
                f"sentinel down-after-milliseconds {self.NAME} 2000\n"
                f"sentinel failover-timeout {self.NAME} 10000\n"
            )
            self._sentinels.append(
                subprocess.Popen(
                    ["redis-server", str(config), "--sentinel"], stdout=subprocess.DEVNULL
                )
            )
        deadline = time.monotonic() + 30
        while self.master_port() != self.master.port or self.peers_known() < self.SENTINELS:
            if time.monotonic() > deadline:
                raise RuntimeError("the Sentinels do not agree on the master after 30 s")
            time.sleep(0.1)

    def _ask(self, *command: str) -> Any:
        """The first Sentinel that answers ``command``, or None."""
        for port in self.ports:
            try:
                with redis.Redis(host="127.0.0.1", port=port, socket_timeout=1) as client:
                    return client.execute_command(*command)
            except redis.RedisError:
                continue
        return None

    def master_port(self) -> int | None:
        answer = self._ask("SENTINEL", "get-master-addr-by-name", self.NAME)
        return int(answer[1]) if answer else None

    def peers_known(self) -> int:
        """Sentinels the first one knows of, itself included (they find each other through
        the master): a failover before they do could not reach its quorum."""
        answer = self._ask("SENTINEL", "sentinels", self.NAME)
        return 1 + len(answer) if answer is not None else 0

    def stop(self) -> None:
        for sentinel in self._sentinels:
            if sentinel.poll() is None:
                sentinel.terminate()
                sentinel.wait(timeout=20)
        self.replica.stop()
        self.master.stop()


@dataclass
class HostFault:
    """A fault on one worker host, and what followed it."""

    kind: str
    host: str
    address: str
    started_wall: dt.datetime
    lasted: float
    recovery: Recovery
    back_to_work: float | None = None  # healed or resumed, to its lock connection again
    state_writes_after: list[tuple[str, str, dt.datetime]] = field(default_factory=list)


@dataclass
class WebHostFault:
    """A web host cut off or frozen while viewers watch through HAProxy, and how they came
    back."""

    kind: str  # web_partition, web_frozen
    host: str
    at: float
    lasted: float
    cut_off: list[ViewerConnection]  # the viewers' connections open on it at the fault
    marked_down: float | None = None  # seconds until HAProxy's checks took it out
    back_in_service: float | None = None  # from the heal until HAProxy put it back
    ended: float = math.inf  # when the harness moved on to the next fault

    def resumes(self, connections: list[ViewerConnection]) -> list[ViewerConnection | None]:
        """Per cut-off connection, the viewer's next one that received a message (its
        resume through HAProxy), or None if it did not resume."""
        return [
            next(
                (
                    later
                    for later in connections
                    if later.viewer is cut.viewer
                    and later.opened > cut.opened
                    and later.first_message is not None
                ),
                None,
            )
            for cut in self.cut_off
        ]

    def resume_seconds(self, connections: list[ViewerConnection]) -> list[float | None]:
        return [
            None if later is None or later.first_message is None else later.first_message - self.at
            for later in self.resumes(connections)
        ]


class ClusterController(Controller):
    def __init__(
        self,
        *args: Any,
        network: Network,
        hosts: dict[int, Host],
        sentinel: SentinelledRedis,
        logs: Path,
        web: WebTier,
        crowd: HostNotingCrowd,
        **kw: Any,
    ) -> None:
        super().__init__(*args, **kw)
        self.network = network
        self.hosts = hosts  # worker pid -> its host
        self.web = web
        self.crowd = crowd
        self.web_faults: list[WebHostFault] = []
        self.sentinel = sentinel
        self.logs = logs
        self.host_faults: list[HostFault] = []
        self.redis_failovers: list[RedisFailover] = []
        self.postgres_failovers: list[Recovery] = []
        # The duplicate dispatches find the master through the Sentinel, as the product does.
        url, transport = celery_broker(sentinel.target(), settings.REDIS_CONNECTION_OPTIONS)
        # The product's workers read tests.settings: the same key prefix as they have.
        prefix = settings.CELERY_BROKER_TRANSPORT_OPTIONS["global_keyprefix"]
        self._dispatcher = Celery(
            "cluster-harness",
            broker=url,
            broker_transport_options={**transport, "global_keyprefix": prefix},
        )

    def fail_redis_master(self) -> RedisFailover:
        """Stop the Redis master for good; the Sentinel promotes the replica. Measured:
        until the Sentinel names the new master, and until a worker handles a task sent
        through it (a duplicate dispatch, answered ``already_followed``)."""
        at, wall = time.monotonic(), dt.datetime.now(dt.UTC)
        old = self.sentinel.master_port()
        self.sentinel.master.stop()
        failover = RedisFailover(at=at, started_wall=wall)
        self.redis_failovers.append(failover)
        deadline = at + 90
        while time.monotonic() < deadline and failover.promoted is None:
            if self.sentinel.master_port() not in (None, old):
                failover.promoted = time.monotonic() - at
            time.sleep(0.1)
        while time.monotonic() < deadline and failover.tasks_again is None:
            handled = first_logged_after("listener.already_followed", wall, self.logs)
            if handled is not None:
                failover.tasks_again = (handled - wall).total_seconds()
            time.sleep(0.2)
        return failover

    def partition_web_host(self, hold: float) -> WebHostFault:
        """Cut off the web host serving the most viewers for ``hold`` seconds, then heal
        it; measure until HAProxy takes it out, until each viewer it served receives again
        through HAProxy (from the other host: it resumes from its position), and until
        HAProxy puts the healed host back."""
        return self._web_host_fault(
            "web_partition", hold, self.network.partition, self.network.heal
        )

    def freeze_web_host(self, hold: float) -> WebHostFault:
        """SIGSTOP the web process of the host serving the most viewers for ``hold`` seconds,
        then SIGCONT; measured as a partition. Its kernel still completes TCP handshakes:
        only a check the process itself must answer (/livez) takes it out."""

        def signal_web(sent: signal.Signals) -> Callable[[str], None]:
            return lambda name: self.web.web_processes[name].send_signal(sent)

        return self._web_host_fault(
            "web_frozen", hold, signal_web(signal.SIGSTOP), signal_web(signal.SIGCONT)
        )

    def _web_host_fault(
        self, kind: str, hold: float, cut: Callable[[str], None], heal: Callable[[str], None]
    ) -> WebHostFault:
        """``cut`` the busiest web host by name, ``heal`` it after ``hold`` seconds."""
        open_now = [c for c in list(self.crowd.connections) if c.closed is None]
        served = {name: sum(c.host == name for c in open_now) for name in self.web.hosts}
        name = max(served, key=lambda host: served[host])
        at = time.monotonic()
        cut(name)
        cut_off = [c for c in open_now if c.host == name]
        fault = WebHostFault(kind, name, at, hold, cut_off)
        self.web_faults.append(fault)
        try:
            fault.marked_down = self.web.wait_for_status(name, "DOWN", since=at, timeout=30)
            deadline = at + 60
            while time.monotonic() < deadline and None in fault.resumes(self.crowd.connections):
                time.sleep(0.05)
            time.sleep(max(0.0, at + hold - time.monotonic()))
        finally:
            heal(name)
        fault.back_in_service = self.web.wait_for_status(
            name, "UP", since=time.monotonic(), timeout=30
        )
        fault.ended = time.monotonic()
        return fault

    def partition_worker_host(self, ids: list[str], hold: float) -> HostFault:
        """Cut off the host of the worker that follows the most fixtures for ``hold``
        seconds, then heal it; measure until the others follow its fixtures, and until
        it is back at work (it has opened its lock connection again)."""
        victim = self._busiest_worker()
        before = self._fixtures_of(victim.pid)
        host = self.hosts[victim.pid]
        at, wall = time.monotonic(), dt.datetime.now(dt.UTC)
        self.network.partition(host.name)
        recovery = Recovery("worker_partition", at, at)
        self.recoveries.append(recovery)
        fault = HostFault("worker_partition", host.name, host.address, wall, hold, recovery)
        self.host_faults.append(fault)
        try:
            self._watch_host_fault(recovery, before, ids)
            time.sleep(max(0.0, at + hold - time.monotonic()))
        finally:
            self.network.heal(host.name)
        healed = time.monotonic()
        recovery.back_at = healed
        fault.back_to_work = self._wait_for_lock_session(victim.pid, since=healed)
        return fault

    def freeze_worker(self, ids: list[str], hold: float) -> HostFault:
        """SIGSTOP the worker that follows the most fixtures for ``hold`` seconds, then
        SIGCONT: its kernel keeps answering keepalives, so only the lock session's idle
        timeout can free its fixtures (streams/feed/locks.py)."""
        victim = self._busiest_worker()
        before = self._fixtures_of(victim.pid)
        host = self.hosts[victim.pid]
        at, wall = time.monotonic(), dt.datetime.now(dt.UTC)
        victim.send_signal(signal.SIGSTOP)
        recovery = Recovery("worker_frozen", at, at)
        self.recoveries.append(recovery)
        fault = HostFault("worker_frozen", host.name, host.address, wall, hold, recovery)
        self.host_faults.append(fault)
        try:
            self._watch_host_fault(recovery, before, ids)
            time.sleep(max(0.0, at + hold - time.monotonic()))
        finally:
            victim.send_signal(signal.SIGCONT)
        resumed = time.monotonic()
        recovery.back_at = resumed
        fault.back_to_work = self._wait_for_lock_session(victim.pid, since=resumed)
        return fault

    def _fixtures_of(self, worker_pid: int) -> dict[str, int]:
        """The fixtures whose lock the worker holds: fixture id to its lock session's pid."""
        names = self._lock_holders(names=True)
        sessions = self._lock_holders()
        mine = f"{LOCKS_APPLICATION}{worker_pid}"
        return {f: sessions[f] for f, name in names.items() if name == mine and f in sessions}

    def _watch_host_fault(self, recovery: Recovery, before: dict[str, int], ids: list[str]) -> None:
        """Poll who holds each of the victim's fixtures until every one has been lost (its
        lock freed: not at once, unlike a kill's) and followed again by another session,
        or has finished."""
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            holders, finished, now = self._lock_holders(), self.finished(ids), time.monotonic()
            for fixture_id, old in before.items():
                holder = holders.get(fixture_id)
                if holder != old:
                    recovery.lost.setdefault(fixture_id, now)
                    if holder is not None:
                        recovery.followed_again.setdefault(fixture_id, now)
            if all(f in recovery.followed_again or f in finished for f in before):
                return
            time.sleep(0.05)

    def fail_postgres_primary(self, ids: list[str], postgres: ReplicatedPostgres) -> Recovery:
        """Kill the primary and promote the replica; every lock goes with the primary, so
        measure until every fixture is followed again on the new one."""
        before = self._lock_holders()
        at = time.monotonic()
        postgres.fail_over()
        recovery = Recovery("postgres_failover", at, time.monotonic())
        self.recoveries.append(recovery)
        self.postgres_failovers.append(recovery)
        self._watch_host_fault(recovery, before, ids)
        return recovery

    def wait_until_followed(self, ids: list[str], timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while set(ids) - set(self._lock_holders()):
            if time.monotonic() > deadline:
                raise AssertionError(f"matches not all followed in {timeout:.0f} s")
            time.sleep(0.2)

    def _wait_for_lock_session(
        self, pid: int, *, since: float, timeout: float = 60
    ) -> float | None:
        """Seconds from ``since`` until worker ``pid`` has a new lock connection (it opens
        one as soon as it takes a listener task: the duplicate dispatches send some)."""
        name = f"dde-locks-{pid}"
        deadline = since + timeout
        while time.monotonic() < deadline:
            try:
                with psycopg.connect(self.postgres.url(self.database), connect_timeout=2) as conn:
                    row = conn.execute(_LOCK_SESSIONS, [name, since_wall(since)]).fetchone()
                if row and row[0]:
                    return time.monotonic() - since
            except psycopg.Error:
                pass
            time.sleep(0.1)
        return None


class ClusterCampaign(Campaign):
    """The fault campaign's set-up and collection, with worker hosts as namespaces."""

    crowd: HostNotingCrowd

    def __init__(
        self,
        config: CampaignConfig,
        artefacts: Path,
        *,
        partition_seconds: float,
        freeze_seconds: float,
        web_partition_seconds: float,
        synchronous_commit: str,
    ) -> None:
        self.config = config
        self.partition_seconds = partition_seconds
        self.freeze_seconds = freeze_seconds
        self.web_partition_seconds = web_partition_seconds
        self.synchronous_commit = synchronous_commit
        self.logs = artefacts / "cluster"
        self.logs.mkdir(parents=True, exist_ok=True)
        for old in self.logs.glob("*.log"):
            old.unlink()
        self.network = Network()
        self.replicated = ReplicatedPostgres(self.logs)
        self.postgres = self.replicated  # type: ignore[assignment]  # the same interface
        # Redis probes idle clients itself, as docs/operations.md asks of an operator.
        self.sentinelled = SentinelledRedis(self.logs)
        self.redis = self.sentinelled.master
        self.keys: dict[int, str] = {}

    def start_services(self) -> None:
        self.network.create()
        self._start_database()
        with connections[ALIAS].cursor() as cursor:
            cursor.execute(STATE_AUDIT_SQL)
        self.sentinelled.start()
        self._start_feed()
        self._start_product()
        self.controller = ClusterController(
            self.config, postgres=self.postgres, database=DATABASE, redis=self.redis,
            processes=self.processes, keys=self.keys, network=self.network,
            hosts=self.worker_hosts, sentinel=self.sentinelled, logs=self.logs, web=self.web,
            crowd=self.crowd,
        )  # fmt: skip

    def _start_database(self) -> None:
        """As the campaign's, but the test's own alias names both servers too (our parser:
        dj-database-url refuses several hosts)."""
        self.postgres.start()
        with psycopg.connect(self.postgres.url("postgres"), autocommit=True) as conn:
            conn.execute(f"CREATE DATABASE {DATABASE}")
        entry = {**parse_database_url(self.postgres.url(DATABASE)), "CONN_MAX_AGE": 0}
        configured = connections.configure_settings({**connections.settings, ALIAS: entry})
        connections.settings[ALIAS] = configured[ALIAS]
        call_command("migrate", database=ALIAS, verbosity=0)
        with connections[ALIAS].cursor() as cursor:
            cursor.execute(AUDIT_SQL)

    def _start_feed(self) -> None:
        self.schedule = Schedule()
        self.simulator = Simulator(
            schedule=self.schedule, token=TOKEN, pace=self.config.pace,
            heartbeat=self.config.heartbeat,
        )  # fmt: skip
        # A thread of the test process (the checks read its schedule and journal), on a
        # host of its own: the listeners reach the vendor over the bridge, as over a WAN.
        host = self.network.add_host("sim")
        with inside(host):
            self.feed = self.simulator.start_in_thread(host.address, 0)

    def _bridge_url(self, url: str) -> str:
        return url.replace("127.0.0.1", BRIDGE_ADDRESS)

    def _start_product(self) -> None:
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "tests.settings",
            "DATABASE_URL": self._bridge_url(self.postgres.url(DATABASE)),
            "REDIS_URL": self._bridge_url(self.redis.url),
            "REDIS_SENTINELS": ",".join(f"{BRIDGE_ADDRESS}:{p}" for p in self.sentinelled.ports),
            "REDIS_SENTINEL_MASTER": SentinelledRedis.NAME,
            "CHANNEL_LAYER_PREFIX": "cluster",
            "DDE_STREAMS_URL": self.feed.ws_url,
            "DDE_API_URL": self.feed.http_url,
            "DDE_AUTH_TOKEN": TOKEN,
            # The primary has a synchronous standby: packets commit on both before any
            # viewer is told of them (docs/operations.md), unless a run asks otherwise.
            "DDE_SYNCHRONOUS_COMMIT": self.synchronous_commit,
            "DDE_WATCHDOG_SECONDS": str(self.config.watchdog),
            "DISPATCH_INTERVAL_SECONDS": str(self.config.dispatch_interval),
            "LISTENER_AUTH_RETRY_SECONDS": str(self.config.auth_retry),
            "LOG_LEVEL": "INFO",
            "DEBUG": "true",
        }
        env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        self.processes = ProductProcesses(env, self.logs)
        self.worker_hosts: dict[int, Host] = {}
        for name in ("w1", "w2", "w3"):
            host = self.network.add_host(name)
            worker = self.processes.start_worker(wrap=host.wrap())
            self.worker_hosts[worker.pid] = host
        self._start_beat(self.network.add_host("beat"))
        web_hosts = [self.network.add_host(name) for name in ("web1", "web2")]
        self.web = WebTier(self.processes, web_hosts, self.logs)
        self.web.start()
        self.crowd = HostNotingCrowd(
            self.web.url, seed=self.config.seed, leave_after=self.config.viewer_stay
        )

    def _start_beat(self, host: Host) -> None:
        """Beat (exactly one: the dispatcher tick) on a host of its own."""
        command = [
            *host.wrap(), sys.executable, "-m", "dde_site.processes", "beat",
            "--schedule", str(self.postgres.data / "beat-schedule"), "--loglevel", "WARNING",
        ]  # fmt: skip
        with (self.logs / "beat.log").open("ab") as log:
            beat = subprocess.Popen(
                command, cwd=ROOT, env=self.processes.env, stdout=log, stderr=subprocess.STDOUT
            )
        self.processes.others.append(beat)  # stopped by stop_all

    def _play_wave(self, wave: int, count: int) -> list[Any]:
        connections[ALIAS].close()
        records = [self._schedule_match(wave, index) for index in range(count)]
        ids = [r.fixture_id for r in records]
        length = self._match_seconds(records)
        stop = threading.Event()
        duplicates = threading.Thread(target=self.controller.duplicate_dispatches, args=(ids, stop))
        duplicates.start()
        try:
            # The fault must find every match followed and storing, or it takes nothing.
            self.controller.wait_until_followed(ids, timeout=60)
            time.sleep(2.0)
            self.controller.partition_web_host(self.web_partition_seconds)
            self.controller.freeze_web_host(self.web_partition_seconds)
            self.controller.wait_until_followed(ids, timeout=60)
            self.controller.partition_worker_host(ids, self.partition_seconds)
            self.controller.wait_until_followed(ids, timeout=60)
            time.sleep(2.0)
            self.controller.freeze_worker(ids, self.freeze_seconds)
            self.controller.wait_until_followed(ids, timeout=60)
            self.controller.fail_redis_master()
            self.controller.wait_until_followed(ids, timeout=60)
            self.controller.fail_postgres_primary(ids, self.replicated)
            self.controller.wait_until_finished(ids, timeout=length * 1.5 + 600)
        finally:
            stop.set()
            duplicates.join()
        for record in records:
            record.expected = self._feed_log(record.fixture_id)
        return records

    def run(self) -> CampaignResult:
        result = super().run()
        controller = self.controller
        # Every fault's start: a host's window of "no writes" ends where the next fault
        # (of any kind) may rightly hand it fixtures again.
        starts = sorted(
            [f.started_wall for f in controller.host_faults]
            + [f.started_wall for f in controller.redis_failovers]
            + [since_wall(r.at) for r in controller.postgres_failovers]
        )
        for fault in controller.host_faults:
            later = [at for at in starts if at > fault.started_wall]
            until = min(later, default=dt.datetime.now(dt.UTC))
            fault.state_writes_after = self._state_writes(fault, until)
        return result

    def _state_writes(
        self, fault: HostFault, until: dt.datetime
    ) -> list[tuple[str, str, dt.datetime]]:
        """State writes the faulty host made to the fixtures it lost, from the fault's start
        until the next fault (which may hand them back to it, rightly)."""
        lost = list(fault.recovery.lost)
        with connections[ALIAS].cursor() as cursor:
            cursor.execute(
                "SELECT fixture_id::text, listener_state, at FROM cluster_state_writes"
                " WHERE client = %s::inet AND at > %s AND at < %s AND fixture_id::text = ANY(%s)",
                [fault.address, fault.started_wall, until, lost],
            )
            return list(cursor.fetchall())

    def stop_services(self) -> None:
        try:
            super().stop_services()
        finally:
            try:
                if hasattr(self, "web"):
                    self.web.stop()
            finally:
                self.sentinelled.stop()
                self.network.remove()


@dataclass
class ClusterRun:
    result: CampaignResult
    host_faults: list[HostFault]
    redis_failovers: list[RedisFailover]
    postgres_failovers: list[Recovery]
    web_faults: list[WebHostFault]
    crowd: HostNotingCrowd
    synchronous_commit: str


def run_cluster_campaign(
    config: CampaignConfig,
    artefacts: Path,
    unblock: Any,
    *,
    partition_seconds: float,
    freeze_seconds: float,
    web_partition_seconds: float,
    synchronous_commit: str,
) -> ClusterRun:
    campaign = ClusterCampaign(
        config, artefacts, partition_seconds=partition_seconds, freeze_seconds=freeze_seconds,
        web_partition_seconds=web_partition_seconds, synchronous_commit=synchronous_commit,
    )  # fmt: skip
    with unblock():
        try:
            campaign.start_services()
            result = campaign.run()
            controller = campaign.controller
            return ClusterRun(
                result,
                controller.host_faults,
                controller.redis_failovers,
                controller.postgres_failovers,
                controller.web_faults,
                campaign.crowd,
                synchronous_commit,
            )
        finally:
            campaign.stop_services()
