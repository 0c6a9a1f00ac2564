"""Live delivery benchmark: feed to browsers through the listener, Postgres, Redis and the
web server.

Run with `scripts/bench.sh bench/live.py [--viewers 50,1000,3000] [--seconds 45] [--idle
5000] [--server uvicorn] [--compare daphne,...] [--storm 1000]` (``--help`` for the rest).
It uses the database named by DATABASE_URL (scripts/bench.sh defaults it to `dde_bench`)
and REDIS_URL, with a channel-layer prefix of its own. Everything runs on loopback:

- live: the simulator (a thread here) plays one scheduled match at about two changes a
  second; a real listener (`manage.py listen`) stores it and publishes each commit; the
  web server (``--server``: as shipped, `python -m dde_site.processes web`, one uvicorn
  process) fans it out to N websocket viewers in separate processes
  (bench/_live_viewers.py); each viewer times every change and checks its positions;
- floor: the same messages at the same times through a bare `websockets` broadcast server
  (bench/_live_floor.py) to the same number of receivers;
- options: the other web servers of bench/_servers.py (``--compare``), same consumers, at
  ``--compare-viewers`` viewers, against the same floor;
- storm: ``--storm`` viewers of a live match while the web process restarts, each
  resuming by its position;
- idle: thousands of viewers of a fixture with no traffic on one web process;
- page: `GET /fixtures/<uuid>/` of a finished match with 1,200 actions.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import datetime as dt
import itertools
import json
import logging
import math
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dde_site.settings")
# Pub/sub channels are server-wide: keep this run's groups apart from any other run.
PREFIX = f"benchlive{os.getpid()}"
os.environ["CHANNEL_LAYER_PREFIX"] = PREFIX

import django  # noqa: E402

django.setup()
# The simulator runs in this process: its per-connection info lines are not figures.
logging.getLogger("streams.simulator").setLevel(logging.WARNING)

import httpx  # noqa: E402
from _listener import listening, wait_until_listening  # noqa: E402
from _measure import free_port, load_average, machine, pcts, percentile  # noqa: E402
from _processes import (  # noqa: E402
    CpuMeter,
    raise_nofile_limit,
    rss_mb,
    sleep_until,
    stop_process,
    wait_for_port,
)
from _receivers import ReceiverProcesses  # noqa: E402
from _servers import OPTIONS, Option, listening_sockets  # noqa: E402
from django.conf import settings  # noqa: E402
from django.utils import timezone  # noqa: E402
from websockets.asyncio.client import connect  # noqa: E402

from dde_site import processes  # noqa: E402
from streams.dde.messages import DataPacket, parse_frame  # noqa: E402
from streams.feed.writer import FixtureWriter  # noqa: E402
from streams.models import Action, Fixture, Packet  # noqa: E402
from streams.simulator import Schedule, Simulator, generate_match  # noqa: E402
from streams.simulator.match import Match, compact  # noqa: E402
from streams.stored import Arrival  # noqa: E402

TOKEN = "bench-token"
RATE = 2.0  # changes per second while measured
PLAYED_BEFORE = 240.0  # match seconds already played when the listener connects
LIVE_PER_PROCESS = 500  # viewers per viewer process in the live scenarios
IDLE_PER_PROCESS = 1000
IDLE_SECONDS = 60.0
PAGE_ACTIONS = 1200
PAGE_REQUESTS = 50
VIEWERS = ROOT / "bench" / "_live_viewers.py"
FLOOR = ROOT / "bench" / "_live_floor.py"
SHIPPED = "uvicorn"  # what `python -m dde_site.processes web` runs

SEND_TIME = (
    "Send time: a scheduled live match in the simulator releases packet i at kickoff +\n"
    "  offset_i and stamps that release time into fixtureAction.timestamp (UTC, µs;\n"
    "  streams/simulator/render.py and feed.py due_times). Latency = the viewer's wall-clock\n"
    "  time on receipt - action.timestamp of the change message: simulator send, listener\n"
    "  (parse, Postgres commit), Redis pub/sub, the web server's fan-out, viewer event loop.\n"
    "  Floor: the publisher stamps action.timestamp just before sending each message."
)


# --- small helpers ------------------------------------------------------------------------


def child_env(**extra: str) -> dict[str, str]:
    return {
        **os.environ,
        "DATABASE_URL": settings.DATABASE_URL,
        "REDIS_URL": settings.REDIS_URL,
        "CHANNEL_LAYER_PREFIX": PREFIX,
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "LOG_LEVEL": "WARNING",
        **extra,
    }


def new_fixture(fixture_id: uuid.UUID, kickoff: dt.datetime, name: str) -> Fixture:
    """A fixture nobody dispatches: its listen window is already over (`listen` ignores it)."""
    now = timezone.now()
    home, _, away = name.partition(" v ")
    return Fixture.objects.create(
        id=fixture_id,
        home_team=home or "Home",
        away_team=away or "Away",
        kickoff=kickoff,
        listen_from=now - dt.timedelta(hours=3),
        listen_until=now - dt.timedelta(hours=2),
    )


# --- processes --------------------------------------------------------------------------


@dataclass
class Server:
    processes: list[Any]  # Popen, or Child for a worker of a server's own supervisor
    port: int

    @property
    def pid(self) -> int:
        return int(self.processes[0].pid)

    @property
    def pids(self) -> list[int]:
        return [process.pid for process in self.processes]

    @property
    def origin(self) -> str:
        return f"http://127.0.0.1:{self.port}"


@contextlib.contextmanager
def web(option: Option, logdir: Path, name: str, port: int | None = None) -> Iterator[Server]:
    """The product's ASGI app served by ``option`` on a loopback port (``port``, else a
    free one): its processes sharing it through sockets of their own, or as the launcher
    starts them."""
    port = port or free_port()
    if option.launcher:
        with launched(port, logdir, f"{option.name}-{name}", option.launcher_command(port)) as s:
            # uvicorn's supervisor and its workers: the workers serve.
            yield Server([*s.processes, *children(s.pid)], port)
        return
    sockets = listening_sockets(option.processes, port)
    processes: list[subprocess.Popen[bytes]] = []
    with contextlib.ExitStack() as stack:
        for i, sock in enumerate(sockets):
            log = stack.enter_context((logdir / f"{option.name}-{name}-{i}.log").open("ab"))
            process = subprocess.Popen(
                option.command(sock.fileno()),
                cwd=ROOT,
                env=child_env(),
                stdout=log,
                stderr=subprocess.STDOUT,
                pass_fds=(sock.fileno(),),
            )
            stack.callback(stop_process, process)
            processes.append(process)
        for sock in sockets:  # the servers hold them now
            sock.close()
        wait_until_serving(port, processes, timeout=30)
        yield Server(processes, port)


def children(pid: int) -> list[Child]:
    return [Child(int(c)) for c in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]


@dataclass
class Child:
    """A process this one did not start (a server's worker): only its pid is needed."""

    pid: int


def wait_until_serving(port: int, processes: list[subprocess.Popen[bytes]], timeout: float) -> None:
    """Until 20 new connections in a row get an answer to ``/healthz``. The sockets take
    connections before a server is ready (the kernel queues them), and each connection goes
    to one of the processes by hash: 20 answers mean that every process is serving."""
    deadline = time.monotonic() + timeout
    answered = 0
    while answered < 20:
        for process in processes:
            if process.poll() is not None:
                raise RuntimeError(f"{process.args!r} exited with {process.returncode}")
        try:
            httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=timeout)
            answered += 1
        except httpx.HTTPError:
            answered = 0
            if time.monotonic() > deadline:
                raise
            time.sleep(0.1)


@contextlib.contextmanager
def floor_server(logdir: Path) -> Iterator[Server]:
    port = free_port()
    command = [sys.executable, str(FLOOR), "--port", str(port)]
    with (logdir / "floor.log").open("wb") as log:
        process = subprocess.Popen(command, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT)
        try:
            wait_for_port(port, process, timeout=15)
            yield Server([process], port)
        finally:
            stop_process(process)


def viewer_processes(
    url: str,
    origin: str,
    count: int,
    per_process: int,
    logdir: Path,
    name: str,
    record_texts: int = 0,
    reconnect: bool = False,
) -> ReceiverProcesses:
    """``count`` viewers of one URL (bench/_live_viewers.py) over processes of at most
    ``per_process``; the first records the texts of ``record_texts`` changes."""

    def arguments(index: int, count: int) -> list[str]:
        return [
            "--url", url, "--origin", origin, "--count", str(count),
            "--record-texts", str(record_texts if index == 0 else 0),
            *(["--reconnect"] if reconnect else []),
        ]  # fmt: skip

    return ReceiverProcesses(VIEWERS, arguments, count, per_process, logdir, f"viewers-{name}")


# --- figures ----------------------------------------------------------------------------


@dataclass
class Delivery:
    """Merged figures of all viewer processes of one run."""

    viewers: int
    processes: int
    ready: int
    failed: int
    ramp: float
    seconds: float
    latencies: list[float]
    first: dict[int, float]
    deliveries: int
    gaps: int
    duplicates: int
    viewers_with_gaps: int
    viewers_with_duplicates: int
    resyncs: int
    before_snapshot: int
    untimed: int
    closed_early: Counter[str]
    open_at_end: int
    connect_errors: Counter[str]
    texts: list[tuple[float, str]]
    cpu: dict[str, tuple[float, float, list[float]]]
    server_rss_before: float = 0.0  # MB, the server's before any viewer connected

    def kib_per_viewer(self, server: str) -> float:
        """The server's memory per connected viewer: RSS at the end less RSS before."""
        return (self.cpu[server][1] - self.server_rss_before) * 1024 / max(1, self.ready)

    @classmethod
    def merge(
        cls,
        results: list[dict[str, Any]],
        ready: tuple[int, int, float],
        seconds: float,
        cpu: dict[str, tuple[float, float, list[float]]],
    ) -> Delivery:
        first: dict[int, float] = {}
        for r in results:
            for key, value in r["first_by_position"].items():
                first[int(key)] = min(value, first.get(int(key), math.inf))
        closed: Counter[str] = Counter()
        errors: Counter[str] = Counter()
        for r in results:
            closed.update(r["closed_early"])
            errors.update(r["connect_errors"])
        texts = max((r["texts"] for r in results), key=len)
        return cls(
            viewers=sum(r["count"] for r in results),
            processes=len(results),
            ready=ready[0],
            failed=ready[1],
            ramp=ready[2],
            seconds=seconds,
            latencies=[x for r in results for x in r["latencies_ms"]],
            first=first,
            deliveries=sum(r["deliveries"] for r in results),
            gaps=sum(r["gaps"] for r in results),
            duplicates=sum(r["duplicates"] for r in results),
            viewers_with_gaps=sum(r["viewers_with_gaps"] for r in results),
            viewers_with_duplicates=sum(r["viewers_with_duplicates"] for r in results),
            resyncs=sum(r["resyncs"] for r in results),
            before_snapshot=sum(r["before_snapshot"] for r in results),
            untimed=sum(r["untimed"] for r in results),
            closed_early=closed,
            open_at_end=sum(r["open_at_end"] for r in results),
            connect_errors=errors,
            texts=[(float(t), str(text)) for t, text in texts],
            cpu=cpu,
        )

    def print(self, server_name: str, viewer_name: str) -> None:
        changes = len(self.first)
        print(
            f"    connected {self.ready}/{self.viewers} in {self.ramp:.1f} s "
            f"({self.processes} {viewer_name} process{'es' if self.processes > 1 else ''}); "
            f"measured {self.seconds:.0f} s: {changes} changes ({changes / self.seconds:.2f}/s)"
        )
        print(f"    latency ms, every delivery:      {pcts(self.latencies)}")
        print(f"    latency ms, first viewer/change: {pcts(list(self.first.values()))}")
        rate = self.deliveries / self.seconds
        expected = changes * self.ready
        print(
            f"    deliveries {self.deliveries} of {expected} expected: {rate:.0f}/s"
            + (f"; untimed {self.untimed}" if self.untimed else "")
        )
        extra = []
        if self.viewers_with_gaps or self.viewers_with_duplicates:
            extra.append(
                f"viewers with gaps {self.viewers_with_gaps}, "
                f"with duplicates {self.viewers_with_duplicates}"
            )
        if self.resyncs:
            extra.append(f"catch-up snapshots {self.resyncs}")
        if self.before_snapshot:
            extra.append(f"changes before the first snapshot {self.before_snapshot}")
        if self.failed:
            extra.append(f"failed to connect {self.failed} ({dict(self.connect_errors)})")
        if self.closed_early:
            extra.append(f"closed by the server {dict(self.closed_early)}")
        print(
            f"    gaps: {self.gaps}, duplicates: {self.duplicates}"
            + (f" ({'; '.join(extra)})" if extra else "")
        )
        for name, label in ((server_name, "server"), ("viewers", "viewers"), ("listener", "")):
            if name not in self.cpu:
                continue
            cores, rss, each = self.cpu[name]
            line = f"    {name}: CPU {cores:.3f} cores"
            if len(each) > 1:
                line += f" ({' + '.join(f'{c:.3f}' for c in each)})"
            line += f", RSS {rss:.0f} MB"
            if label == "server" and self.deliveries:
                line += f"; {cores * self.seconds * 1000 / self.deliveries:.3f} ms CPU per delivery"
            print(line)


# --- live matches through Channels ------------------------------------------------------


def plan_pace(match: Match, seconds: float, setup: float) -> tuple[float, float]:
    """(pace, seconds of play before half-time at that pace) for about ``RATE`` changes/s.

    Play is measured from ``PLAYED_BEFORE`` (match seconds already played when the listener
    connects) to half-time, the longest silence of the match (15 minutes at pace 1). The
    pace is then refined on the stretch that will be measured, ``setup`` seconds after the
    listener connects, because the rate of a match varies from minute to minute.
    """
    offsets = match.release_offsets
    half_time = max((b - a, a) for a, b in itertools.pairwise(offsets) if a >= 0)[1]

    def pace_over(low: float, high: float) -> float | None:
        count = sum(1 for o in offsets if low <= o <= high)
        return RATE * (high - low) / count if count and high > low else None

    pace = pace_over(PLAYED_BEFORE, half_time) or 12.0
    for _ in range(5):
        low = PLAYED_BEFORE + setup * pace
        refined = pace_over(low, min(half_time, low + seconds * pace))
        if refined is None:
            break
        pace = min(40.0, max(4.0, refined))
    return pace, (half_time - PLAYED_BEFORE) / pace


@dataclass
class LiveMatch:
    fixture_id: uuid.UUID
    listener: subprocess.Popen[bytes]
    log_path: Path

    @property
    def after(self) -> int:
        """The last position stored now: viewers connect from there."""
        position = Fixture.objects.get(pk=self.fixture_id).last_position
        return -1 if position is None else position


def play_match(
    stack: contextlib.ExitStack, seconds: float, setup: float, name: str, logdir: Path
) -> LiveMatch:
    """A match played by the simulator (a thread here) and followed by a real listener,
    paced for about ``RATE`` changes/s over ``seconds`` starting ``setup`` seconds after the
    listener connects; everything is stopped by ``stack``. Start the web server first: the
    match is played by the clock from its kickoff, set here."""
    fixture_id = uuid.uuid4()
    reference = generate_match(fixture_id, timezone.now())
    pace, play_left = plan_pace(reference, seconds, setup)
    print(
        f"    simulator pace {pace:.1f}, for about {RATE:.1f} changes/s while measured; "
        f"{play_left:.0f} s of first-half play left when the listener connects"
    )
    kickoff = timezone.now() - dt.timedelta(seconds=PLAYED_BEFORE / pace)
    schedule = Schedule()
    schedule.add(fixture_id, kickoff=kickoff)
    new_fixture(fixture_id, kickoff, reference.name)
    simulator = Simulator(schedule=schedule, token=TOKEN, pace=pace, heartbeat=10.0)
    running = simulator.start_in_thread("127.0.0.1", 0)
    stack.callback(running.stop)
    env = child_env(
        DDE_STREAMS_URL=running.ws_url,
        DDE_API_URL=running.http_url,
        DDE_AUTH_TOKEN=TOKEN,
        # Its `listener.stored` events carry receive-to-commit times (bench/ingest.py too).
        LOG_LEVEL="DEBUG",
        LOG_JSON="true",
    )
    log_path = logdir / f"listener-{name}.log"
    listener = stack.enter_context(listening(fixture_id, env, log_path))
    wait_until_listening(fixture_id, listener, timeout=30)
    time.sleep(2)  # the catch-up of what was played before is stored and published
    return LiveMatch(fixture_id, listener, log_path)


def live_run(viewers: int, seconds: float, logdir: Path, record: int, option: Option) -> Delivery:
    """One live match, one listener, the web server ``option``, ``viewers`` viewers;
    measured ``seconds``."""
    name = f"{option.name}-{viewers}"
    with contextlib.ExitStack() as stack:
        server = stack.enter_context(web(option, logdir, name))
        # Listener start, catch-up and the viewers' handshakes come before the window.
        match = play_match(stack, seconds, 6 + viewers / 150, name, logdir)
        rss_before = sum(rss_mb(pid) for pid in server.pids)
        url = f"ws://127.0.0.1:{server.port}/ws/fixtures/{match.fixture_id}/?after={match.after}"
        group = stack.enter_context(
            viewer_processes(url, server.origin, viewers, LIVE_PER_PROCESS, logdir, name, record)
        )
        ready = group.wait_ready(timeout=240)
        start = time.time() + 1.0
        end = start + seconds
        group.measure(start, end)
        sleep_until(start)
        listener = [match.listener.pid]
        meter = CpuMeter({"web": server.pids, "viewers": group.pids, "listener": listener})
        sleep_until(end)
        cpu = meter.stop()
        results = group.results(timeout=60)
    delivery = Delivery.merge(results, ready, seconds, cpu)
    delivery.server_rss_before = rss_before
    delivery.print("web", "viewer")
    hop = listener_hop(match.fixture_id, start, end)
    print(f"    simulator → listener receipt ms: {pcts(hop)}")
    print(f"    listener receipt → commit ms:    {pcts(commit_times(match.log_path, start, end))}")
    return delivery


def listener_hop(fixture_id: uuid.UUID, start: float, end: float) -> list[float]:
    """Listener's arrival time of each packet - its timestamp: checks that the timestamp
    is the send time (this is the first hop of the end-to-end latency)."""
    window = (dt.datetime.fromtimestamp(start, dt.UTC), dt.datetime.fromtimestamp(end, dt.UTC))
    rows = Packet.objects.filter(fixture_id=fixture_id, received_at__range=window).values_list(
        "payload__fixtureAction__timestamp", "received_at"
    )
    return [
        (received - dt.datetime.fromisoformat(stamp.replace("Z", "+00:00"))).total_seconds() * 1000
        for stamp, received in rows
        if stamp
    ]


def commit_times(path: Path, start: float, end: float) -> list[float]:
    """``commit_ms`` of the listener's ``listener.stored`` events logged in the window."""
    values = []
    for line in path.read_text(errors="replace").splitlines():
        if '"listener.stored"' not in line:
            continue
        with contextlib.suppress(ValueError, KeyError):
            event = json.loads(line)
            logged = dt.datetime.fromisoformat(event["timestamp"].replace("Z", "+00:00"))
            if start <= logged.timestamp() <= end:
                values.append(float(event["commit_ms"]))
    return values


# --- the floor --------------------------------------------------------------------------


async def publish(port: int, trace: list[tuple[float, str]], start: float, end: float) -> int:
    """Send the recorded messages with their recorded spacing from ``start`` until ``end``,
    renumbered from position 0, each stamped with its send time."""
    messages = [json.loads(text) for _, text in trace]
    offsets = [t - trace[0][0] for t, _ in trace]
    span = offsets[-1] + (offsets[-1] / max(1, len(offsets) - 1) or 0.5)
    sent = 0
    async with connect(f"ws://127.0.0.1:{port}/publish", compression=None, max_size=None) as ws:
        while True:
            index, cycle = sent % len(messages), sent // len(messages)
            due = start + 0.2 + cycle * span + offsets[index]
            if due > end:
                return sent
            await asyncio.sleep(max(0.0, due - time.time()))
            message = messages[index]
            message["position"] = sent
            message["action"]["timestamp"] = dt.datetime.now(dt.UTC).isoformat()
            await ws.send(json.dumps(message, separators=(",", ":")))
            sent += 1


def floor_run(
    receivers: int, seconds: float, trace: list[tuple[float, str]], logdir: Path
) -> Delivery:
    with floor_server(logdir) as server:
        rss_before = rss_mb(server.pid)
        url = f"ws://127.0.0.1:{server.port}/fixture"
        name = f"floor-{receivers}"
        with viewer_processes(
            url, server.origin, receivers, LIVE_PER_PROCESS, logdir, name
        ) as group:
            ready = group.wait_ready(timeout=240)
            start = time.time() + 1.0
            end = start + seconds
            group.measure(start, end)
            publisher = threading.Thread(
                target=lambda: asyncio.run(publish(server.port, trace, start, end)), daemon=True
            )
            publisher.start()
            sleep_until(start)
            meter = CpuMeter({"server": [server.pid], "viewers": group.pids})
            sleep_until(end)
            cpu = meter.stop()
            publisher.join(timeout=30)
            results = group.results(timeout=60)
    delivery = Delivery.merge(results, ready, seconds, cpu)
    delivery.server_rss_before = rss_before
    delivery.print("server", "receiver")
    return delivery


STORM_SECONDS = 30.0
STORM_RESTART_AFTER = 6.0  # seconds into the window
STORM_RESUME_TARGET = 10.0


@contextlib.contextmanager
def launched(
    port: int, logdir: Path, name: str, command: list[str] | None = None
) -> Iterator[Server]:
    """``python -m dde_site.processes web`` on ``port``, as deployed (or ``command``)."""
    command = command or processes.command(["web", "--port", str(port)])
    with (logdir / f"web-{name}.log").open("ab") as log:
        process = subprocess.Popen(
            command, cwd=ROOT, env=child_env(), stdout=log, stderr=subprocess.STDOUT
        )
    try:
        wait_until_serving(port, [process], timeout=60)
        yield Server([process], port)
    finally:
        stop_process(process)


def storm_run(count: int, logdir: Path) -> None:
    """``count`` viewers of a live match; the web process is stopped (SIGTERM, as a deploy
    or a supervisor does) and started again; every viewer reconnects from its position as
    the match centre does, and must resume with no gap, no duplicate and no HTTP 500."""
    print(
        f"\nStorm: {count} viewers of a live match through `python -m dde_site.processes web`; "
        f"{STORM_RESTART_AFTER:.0f} s into a {STORM_SECONDS:.0f} s window the web process is "
        f"stopped and started again, and every viewer reconnects with ?after=<its position> "
        f"(after 0.5 s, doubling, ±20 %, as static/streams/socket.js):"
    )
    port = free_port()
    with contextlib.ExitStack() as stack:
        first = stack.enter_context(contextlib.ExitStack())
        server = first.enter_context(launched(port, logdir, "storm-before"))
        match = play_match(stack, STORM_SECONDS, 6 + count / 150, "storm", logdir)
        url = f"ws://127.0.0.1:{port}/ws/fixtures/{match.fixture_id}/?after={match.after}"
        group = stack.enter_context(
            viewer_processes(
                url, server.origin, count, LIVE_PER_PROCESS, logdir, "storm", reconnect=True
            )
        )
        ready = group.wait_ready(timeout=240)
        start = time.time() + 1.0
        end = start + STORM_SECONDS
        group.measure(start, end)
        sleep_until(start + STORM_RESTART_AFTER)
        began = time.monotonic()
        first.close()  # SIGTERM: uvicorn closes every websocket (1012), then exits
        stopped = time.monotonic() - began
        stack.enter_context(launched(port, logdir, "storm-after"))
        serving = time.monotonic() - began
        sleep_until(end)
        results = group.results(timeout=60)
    delivery = Delivery.merge(results, ready, STORM_SECONDS, {})
    resumes = [x for r in results for x in r["resumes"]]
    still = sum(r["still_reconnecting"] for r in results)
    statuses: Counter[str] = Counter()
    errors: Counter[str] = Counter()
    for r in results:
        statuses.update(r["refused_statuses"])
        errors.update(r["reconnect_errors"])
    server_errors = sum(n for status, n in statuses.items() if status.startswith("5"))
    delivery.print("web", "viewer")
    print(
        f"    web process: stopped in {stopped:.1f} s, serving again {serving:.1f} s after the "
        f"stop began"
    )
    print(
        f"    resumed {len(resumes)} of {delivery.ready} viewers (still reconnecting at the "
        f"end: {still}); seconds from losing the socket to the catch-up snapshot: "
        f"{pcts(resumes)}"
    )
    print(
        f"    refused handshakes by HTTP status: {dict(statuses) or 'none'} (5xx: "
        f"{server_errors}); attempts that failed otherwise: {dict(errors) or 'none'}"
    )
    met = (
        resumes
        and len(resumes) == delivery.ready
        and max(resumes) <= STORM_RESUME_TARGET
        and not (delivery.gaps or delivery.duplicates or server_errors)
    )
    print(
        f"    every viewer resumed within {STORM_RESUME_TARGET:.0f} s, no gap, no duplicate, "
        f"no 5xx: {'met' if met else 'NOT met'}"
    )


# --- idle viewers -----------------------------------------------------------------------


def idle_run(count: int, seconds: float, logdir: Path, option: Option) -> None:
    fixture_id = uuid.uuid4()
    new_fixture(fixture_id, timezone.now() + dt.timedelta(hours=1), "Idle Home v Idle Away")
    with web(option, logdir, "idle") as server:
        time.sleep(1)
        meter = CpuMeter({"web": server.pids})
        time.sleep(5)
        alone = meter.stop()["web"]
        url = f"ws://127.0.0.1:{server.port}/ws/fixtures/{fixture_id}/"
        with viewer_processes(url, server.origin, count, IDLE_PER_PROCESS, logdir, "idle") as group:
            ready = group.wait_ready(timeout=300)
            start = time.time() + 2.0
            end = start + seconds
            group.measure(start, end)
            sleep_until(start)
            meter = CpuMeter({"web": server.pids, "viewers": group.pids})
            sleep_until(end)
            cpu = meter.stop()
            results = group.results(timeout=120)
    delivery = Delivery.merge(results, ready, seconds, cpu)
    cores, rss, _ = cpu["web"]
    verdict = "met" if cores < 0.1 else "NOT met"
    print(
        f"\nIdle: {count} viewers of a fixture with no traffic on {option.what}, "
        f"{seconds:.0f} s ({delivery.processes} viewer process"
        f"{'es' if delivery.processes > 1 else ''}):"
    )
    print(
        f"    connected {delivery.ready}/{count} in {delivery.ramp:.1f} s; still open at the "
        f"end {delivery.open_at_end}; messages after the snapshot "
        f"{sum(r['messages'] for r in results) - delivery.ready}"
    )
    extra = []
    if delivery.failed:
        extra.append(f"failed to connect {delivery.failed} ({dict(delivery.connect_errors)})")
    if delivery.closed_early:
        extra.append(f"closed by the server {dict(delivery.closed_early)}")
    if extra:
        print(f"    {'; '.join(extra)}")
    print(
        f"    {option.name}: CPU {cores:.3f} cores (target < 0.1: {verdict}), RSS {rss:.0f} MB "
        f"({(rss - alone[1]) * 1024 / max(1, delivery.ready):.0f} KiB per idle viewer); "
        f"baseline with no viewers: CPU {alone[0]:.3f} cores, RSS {alone[1]:.0f} MB"
    )
    vcores, vrss, _ = cpu["viewers"]
    print(f"    viewers: CPU {vcores:.3f} cores, RSS {vrss:.0f} MB")


# --- page load --------------------------------------------------------------------------


def store_finished_match(actions: int) -> tuple[uuid.UUID, int]:
    """A finished match with about ``actions`` actions, stored through FixtureWriter.

    A generated match has 700-980 actions; the rest are copies of its in-play actions
    (new actionIds, later fixtureSeqNums, the summary before the final whistle) stored
    before its last packet, so the match still ends finished with its real final score.
    """
    fixture_id = uuid.uuid4()
    match = generate_match(fixture_id, timezone.now() - dt.timedelta(hours=3))
    packets = [json.loads(frame) for frame in match.frames]
    body, final = packets[:-1], packets[-1]
    first_versions: dict[str, dict[str, Any]] = {}
    for packet in body:
        action = packet["fixtureAction"]
        if action.get("period", 0) >= 1 and action["actionId"] not in first_versions:
            first_versions[action["actionId"]] = packet
    distinct = len({p["fixtureAction"]["actionId"] for p in packets})
    sources = list(first_versions.values())
    seq = max(p["fixtureAction"]["fixtureSeqNum"] for p in packets)
    for i in range(max(0, actions - distinct)):
        copy = json.loads(json.dumps(sources[i % len(sources)]))
        copy["fixtureAction"]["actionId"] = str(uuid.uuid5(fixture_id, str(i)))
        copy["fixtureAction"]["fixtureSeqNum"] = seq + 1 + i
        copy["fixtureAction"]["relatedFixtureActionIds"] = []
        copy["fixtureSummary"] = body[-1]["fixtureSummary"]
        copy["finished"] = False
        body.append(copy)
    new_fixture(fixture_id, match.kickoff, match.name)
    parsed = []
    for packet in [*body, final]:
        frame = parse_frame(compact(packet))
        assert isinstance(frame, DataPacket)
        parsed.append(frame)
    writer = FixtureWriter(fixture_id)
    received = timezone.now()
    for i in range(0, len(parsed), 500):
        writer.store([Arrival(packet, received) for packet in parsed[i : i + 500]])
    return fixture_id, len(parsed)


def page_run(requests: int, logdir: Path, option: Option) -> None:
    print(f"\nPage load: GET /fixtures/<uuid>/, {requests} requests, one keep-alive client:")
    full_id, packets = store_finished_match(PAGE_ACTIONS)
    empty_id = uuid.uuid4()
    new_fixture(empty_id, timezone.now(), "Empty Home v Empty Away")
    actions = Action.objects.filter(fixture_id=full_id).count()
    finished = Fixture.objects.get(pk=full_id).finished
    with (
        web(option, logdir, "page") as server,
        httpx.Client(base_url=server.origin, timeout=30) as client,
    ):
        first = client.get(f"/fixtures/{full_id}/")
        if first.status_code == 404:
            print("    page not available yet")
            return
        if first.status_code != 200:
            print(f"    GET answered {first.status_code}: not measured")
            return
        figures = []
        for label, fixture_id in (
            (
                f"finished match, {actions} actions ({packets} packets, finished={finished})",
                full_id,
            ),
            ("baseline: the same page, a fixture with no actions", empty_id),
        ):
            url = f"/fixtures/{fixture_id}/"
            for _ in range(3):  # warm-up: templates compiled, connections pooled
                client.get(url)
            times, size = [], 0
            for _ in range(requests):
                started = time.perf_counter()
                response = client.get(url)
                times.append((time.perf_counter() - started) * 1000)
                size = len(response.content)
            figures.append((label, times, size))
    for label, times, size in figures:
        print(
            f"    {label}: {size / 1024:.0f} KiB; ms: median {statistics.median(times):.1f}, "
            f"p95 {percentile(times, 95):.1f}"
        )


# --- main -------------------------------------------------------------------------------


def against_floor(run: Delivery, floor: Delivery) -> tuple[str, str]:
    """The two lines that compare a live run with the floor of as many receivers."""
    w_cpu, f_cpu = run.cpu["web"][0], floor.cpu["server"][0]
    w_each = w_cpu * run.seconds * 1000 / max(1, run.deliveries)
    f_each = f_cpu * floor.seconds * 1000 / max(1, floor.deliveries)
    ratio = f"{w_each / f_each:.1f} times" if f_each else "floor under one CPU tick"
    latency = (
        f"{run.viewers} viewers: latency ms p50 {percentile(run.latencies, 50):.1f} vs "
        f"{percentile(floor.latencies, 50):.1f}, p95 {percentile(run.latencies, 95):.1f} "
        f"vs {percentile(floor.latencies, 95):.1f}, p99 {percentile(run.latencies, 99):.1f}"
        f" vs {percentile(floor.latencies, 99):.1f}"
    )
    cpu = (
        f"deliveries/s {run.deliveries / run.seconds:.0f} vs "
        f"{floor.deliveries / floor.seconds:.0f}; server CPU {w_cpu:.3f} vs {f_cpu:.3f} "
        f"cores, per delivery {w_each:.3f} vs {f_each:.3f} ms ({ratio}); memory per viewer "
        f"{run.kib_per_viewer('web'):.0f} vs {floor.kib_per_viewer('server'):.0f} KiB"
    )
    return latency, cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument(
        "--viewers", default="50,1000,3000", help="viewer counts, one live run each ('' for none)"
    )
    parser.add_argument("--seconds", type=float, default=45, help="measured per live run")
    parser.add_argument("--idle", type=int, default=5000, help="idle viewers")
    parser.add_argument(
        "--server", default=SHIPPED, choices=sorted(OPTIONS), help="the web server measured"
    )
    parser.add_argument(
        "--compare",
        default=",".join(OPTIONS),
        help="web server options measured side by side at --compare-viewers ('' for none)",
    )
    parser.add_argument("--compare-viewers", type=int, default=1000)
    parser.add_argument("--storm", type=int, default=1000, help="viewers of the storm (0: none)")
    parser.add_argument("--skip-floor", action="store_true")
    parser.add_argument("--skip-idle", action="store_true")
    parser.add_argument("--skip-page", action="store_true")
    options = parser.parse_args()
    counts = [int(n) for n in options.viewers.split(",") if n.strip()]
    compared = [OPTIONS[name] for name in options.compare.split(",") if name.strip()]
    shipped = OPTIONS[options.server]
    nofile = raise_nofile_limit()
    logdir = Path(tempfile.mkdtemp(prefix="bench-live-"))
    began = time.monotonic()
    print(f"Machine: {machine()}; load average {load_average()}")
    print(
        f"Command: {' '.join(sys.argv)}; database {settings.DATABASES['default']['NAME']}, "
        f"Redis {settings.REDIS_URL}, channel prefix {PREFIX}, open files {nofile}; logs {logdir}"
    )
    print(SEND_TIME)

    runs: list[Delivery] = []
    if counts:
        print(
            f"\nLive: one match at about {RATE:.0f} changes/s through listener → Postgres → "
            f"Redis → {shipped.what} → viewers (changes sent in the measured window):"
        )
    for count in counts:
        print(f"  {count} viewers:")
        runs.append(live_run(count, options.seconds, logdir, 10_000, shipped))

    side_by_side: list[tuple[Option, Delivery]] = []
    if compared:
        print(
            f"\nOptions side by side: the same live match and consumers, "
            f"{options.compare_viewers} viewers each:"
        )
    for option in compared:
        print(f"  {option.name}: {option.what}")
        run = live_run(options.compare_viewers, options.seconds, logdir, 10_000, option)
        side_by_side.append((option, run))

    if not options.skip_floor:
        floor_runs(counts, runs, side_by_side, options, logdir)
    if options.storm:
        storm_run(options.storm, logdir)
    if not options.skip_idle:
        idle_run(options.idle, IDLE_SECONDS, logdir, shipped)
    if not options.skip_page:
        page_run(PAGE_REQUESTS, logdir, shipped)
    print(f"\nTotal {time.monotonic() - began:.0f} s; load average {load_average()}")


def floor_runs(
    counts: list[int],
    runs: list[Delivery],
    side_by_side: list[tuple[Option, Delivery]],
    options: argparse.Namespace,
    logdir: Path,
) -> None:
    """The floor at every count measured, then each run against the floor of its count."""
    recorded = [run.texts for run in runs] + [run.texts for _, run in side_by_side]
    trace = max(recorded, key=len, default=[])
    if len(trace) < 2:
        print("\nFloor: skipped, no change messages were recorded in the live runs")
        return
    sizes = [len(text.encode()) for _, text in trace]
    print(
        f"\nFloor: a bare websockets broadcast server; the change messages one viewer of the "
        f"live run got (median {statistics.median(sizes):.0f} bytes), at the times it got them:"
    )
    floors: dict[int, Delivery] = {}
    wanted = dict.fromkeys([*counts, *(options.compare_viewers for _ in side_by_side)])
    for count in wanted:
        print(f"  {count} receivers:")
        # The messages of a live run with as many viewers, else the longest recording.
        own = next((run.texts for run in runs if run.viewers == count), trace)
        floors[count] = floor_run(count, options.seconds, own if len(own) >= 2 else trace, logdir)
    if runs:
        print(f"\n{OPTIONS[options.server].name} against the floor (same run), it first:")
    for run in runs:
        latency, cpu = against_floor(run, floors[run.viewers])
        print(f"  {latency}\n    {cpu}")
    if side_by_side:
        print(f"\nOptions against the floor of {options.compare_viewers} receivers (same run):")
    for option, run in side_by_side:
        latency, cpu = against_floor(run, floors[run.viewers])
        gaps = f"gaps {run.gaps}, duplicates {run.duplicates}"
        print(f"  [{option.name}] {latency.split(': ', 1)[1]}\n    {cpu}; {gaps}")


if __name__ == "__main__":
    main()
