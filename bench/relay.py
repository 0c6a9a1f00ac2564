"""Relay benchmark: one relay process serving many vendor clients of one live match.

Run with `scripts/bench.sh bench/relay.py [--clients 1000] [--seconds 45]`. It uses the
database named by DATABASE_URL (scripts/bench.sh defaults it to `dde_bench`) and
REDIS_URL, with a channel-layer prefix of its own. Everything runs on loopback, each part
in its own process:

- relay: the simulator plays one scheduled match at about two packets a second; a real
  listener (`manage.py listen`) stores it and publishes each commit; one relay process
  (`python -m dde_site.processes relay`) serves it to N vendor clients
  (bench/_relay_clients.py, 500 to a process), each connected with `startPosition=0`, so
  each first gets what was played so far, then every packet live;
- floor: the simulator alone serves the same N clients a match scheduled the same way,
  straight from memory (the same `websockets` library, the same frames, no database):
  what a Python websocket server costs for this fan-out.

Each client checks that what it got is the log's first n packets byte for byte (CRC-32).
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import itertools
import math
import os
import subprocess
import sys
import tempfile
import time
import uuid
import zlib
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dde_site.settings")
# Pub/sub channels are server-wide: keep this run's groups apart from any other run.
PREFIX = f"benchrelay{os.getpid()}"
os.environ["CHANNEL_LAYER_PREFIX"] = PREFIX

import django  # noqa: E402

django.setup()

from _listener import listening, wait_until_listening  # noqa: E402
from _measure import free_port, load_average, machine, pcts, percentile  # noqa: E402
from _processes import (  # noqa: E402
    CpuMeter,
    raise_nofile_limit,
    sleep_until,
    stop_process,
    wait_for_port,
)
from _receivers import ReceiverProcesses  # noqa: E402
from django.conf import settings  # noqa: E402
from django.utils import timezone  # noqa: E402

from streams.models import ApiToken, Fixture, Packet, Scope  # noqa: E402
from streams.simulator import Schedule, generate_match  # noqa: E402
from streams.simulator.match import Match  # noqa: E402

SIM_TOKEN = "bench-token"
RATE = 2.0  # packets per second while measured
PLAYED_BEFORE = 240.0  # match seconds already played when the listener connects
PER_PROCESS = 500  # clients per client process
CLIENTS = ROOT / "bench" / "_relay_clients.py"
SIMULATOR = ROOT / "bench" / "_relay_sim.py"

SEND_TIME = (
    "Send time: a scheduled live match in the simulator releases packet i at kickoff +\n"
    "  offset_i and stamps that release time into fixtureAction.timestamp (UTC, µs).\n"
    "  Latency = the client's wall-clock time on receipt - that timestamp: for the relay,\n"
    "  simulator send, listener (parse, Postgres commit), Redis pub/sub, the relay's read of\n"
    "  the new packet from Postgres and its fan-out, the client's event loop; for the floor,\n"
    "  the simulator's own fan-out to the same clients."
)


# --- small helpers -------------------------------------------------------------------------


def child_env(**extra: str) -> dict[str, str]:
    return {
        **os.environ,
        "DATABASE_URL": settings.DATABASE_URL,
        "REDIS_URL": settings.REDIS_URL,
        "CHANNEL_LAYER_PREFIX": PREFIX,
        "LOG_LEVEL": "WARNING",
        **extra,
    }


def plan_pace(match: Match, seconds: float, setup: float) -> float:
    """A pace giving about ``RATE`` packets/s over the stretch that will be measured,
    ``setup`` seconds after the listener connects, before half-time (as bench/live.py)."""
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
    return pace


# --- processes --------------------------------------------------------------------------


@contextlib.contextmanager
def simulator(
    fixture_id: uuid.UUID, kickoff: dt.datetime, pace: float, logdir: Path
) -> Iterator[tuple[subprocess.Popen[bytes], int]]:
    port = free_port()
    command = [
        sys.executable, str(SIMULATOR), "--port", str(port), "--fixture", str(fixture_id),
        "--kickoff", str(kickoff.timestamp()), "--pace", str(pace), "--token", SIM_TOKEN,
    ]  # fmt: skip
    with (logdir / f"simulator-{fixture_id}.log").open("wb") as log:
        process = subprocess.Popen(
            command, cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)}, stdout=log, stderr=log
        )
        try:
            wait_for_port(port, process, timeout=15)
            yield process, port
        finally:
            stop_process(process)


@contextlib.contextmanager
def relay(logdir: Path) -> Iterator[tuple[subprocess.Popen[bytes], int]]:
    port = free_port()
    command = [sys.executable, "-m", "dde_site.processes", "relay", "--port", str(port)]
    with (logdir / "relay.log").open("wb") as log:
        process = subprocess.Popen(command, cwd=ROOT, env=child_env(), stdout=log, stderr=log)
        try:
            wait_for_port(port, process, timeout=30)
            yield process, port
        finally:
            stop_process(process)


def client_processes(
    url: str, token: str, count: int, logdir: Path, name: str
) -> ReceiverProcesses:
    """``count`` vendor clients of one URL (bench/_relay_clients.py), PER_PROCESS a process."""

    def arguments(index: int, count: int) -> list[str]:
        return ["--url", url, "--token", token, "--count", str(count)]

    return ReceiverProcesses(CLIENTS, arguments, count, PER_PROCESS, logdir, f"clients-{name}")


# --- figures ----------------------------------------------------------------------------


@dataclass
class Run:
    name: str
    clients: int
    ready: int
    failed: int
    ramp: float
    seconds: float
    latencies: list[float]
    first: dict[int, float]
    last: dict[int, float]
    deliveries: int
    received: list[tuple[int, int]]
    closed_early: Counter[str]
    cpu: dict[str, tuple[float, float, list[float]]]
    window: tuple[float, float]

    @classmethod
    def merge(
        cls,
        name: str,
        results: list[dict[str, Any]],
        ready: tuple[int, int, float],
        window: tuple[float, float],
        cpu: dict[str, tuple[float, float, list[float]]],
    ) -> Run:
        first: dict[int, float] = {}
        last: dict[int, float] = {}
        closed: Counter[str] = Counter()
        for r in results:
            for key, value in r["first"].items():
                first[int(key)] = min(value, first.get(int(key), math.inf))
            for key, value in r["last"].items():
                last[int(key)] = max(value, last.get(int(key), -math.inf))
            closed.update(r["closed_early"])
        return cls(
            name=name,
            clients=sum(r["count"] for r in results),
            ready=ready[0],
            failed=ready[1],
            ramp=ready[2],
            seconds=window[1] - window[0],
            latencies=[x for r in results for x in r["latencies_ms"]],
            first=first,
            last=last,
            deliveries=sum(r["deliveries"] for r in results),
            received=[tuple(pair) for r in results for pair in r["received"]],
            closed_early=closed,
            cpu=cpu,
            window=window,
        )

    def check(self, frames: list[str]) -> str:
        """Every client's frames against the log's first n, by CRC-32."""
        prefix = [0]
        for frame in frames:
            prefix.append(zlib.crc32(frame.encode(), prefix[-1]))
        wrong = sum(1 for n, crc in self.received if n > len(frames) or prefix[n] != crc)
        counts = sorted(n for n, _ in self.received)
        return (
            f"{len(self.received) - wrong}/{len(self.received)} clients got exactly the log's "
            f"first n packets (n from {counts[0] if counts else 0} to "
            f"{counts[-1] if counts else 0})"
        )

    def print(self, server: str, frames: list[str]) -> None:
        start, end = self.window
        timed = [p for p in self.first if p in self.last and start <= self.first[p] <= end]
        print(
            f"    authorised {self.ready}/{self.clients} in {self.ramp:.1f} s; measured "
            f"{self.seconds:.0f} s: {self.deliveries} deliveries "
            f"({self.deliveries / self.seconds:.0f}/s)"
        )
        print(f"    latency ms, every delivery: {pcts(self.latencies)}")
        spread = [(self.last[p] - self.first[p]) * 1000 for p in timed]
        print(f"    fan-out ms, first to last client of each live packet: {pcts(spread)}")
        print(f"    {self.check(frames)}")
        if self.failed or self.closed_early:
            print(f"    failed {self.failed}; closed by the server {dict(self.closed_early)}")
        for name, (cores, rss, _) in self.cpu.items():
            line = f"    {name}: CPU {cores:.3f} cores, RSS {rss:.0f} MB"
            if name == server and self.deliveries:
                line += f"; {cores * self.seconds * 1000 / self.deliveries:.3f} ms CPU/delivery"
            print(line)


# --- runs -------------------------------------------------------------------------------


def scheduled_match(seconds: float, clients: int) -> tuple[uuid.UUID, dt.datetime, float]:
    fixture_id = uuid.uuid4()
    reference = generate_match(fixture_id, timezone.now())
    pace = plan_pace(reference, seconds, setup=8 + clients / 100)
    kickoff = timezone.now() - dt.timedelta(seconds=PLAYED_BEFORE / pace)
    return fixture_id, kickoff, pace


def relay_run(clients: int, seconds: float, logdir: Path) -> Run:
    fixture_id, kickoff, pace = scheduled_match(seconds, clients)
    print(f"    simulator pace {pace:.1f}, for about {RATE:.0f} packets/s while measured")
    now = timezone.now()
    Fixture.objects.create(
        id=fixture_id,
        home_team="Home",
        away_team="Away",
        kickoff=kickoff,
        listen_from=now - dt.timedelta(hours=3),  # nobody dispatches it; `listen` ignores it
        listen_until=now - dt.timedelta(hours=2),
    )
    _, key = ApiToken.issue(f"bench {fixture_id}", [Scope.STREAM])
    with contextlib.ExitStack() as stack:
        sim, sim_port = stack.enter_context(simulator(fixture_id, kickoff, pace, logdir))
        env = child_env(
            DDE_STREAMS_URL=f"ws://127.0.0.1:{sim_port}",
            DDE_API_URL=f"http://127.0.0.1:{sim_port}",
            DDE_AUTH_TOKEN=SIM_TOKEN,
        )
        listener = stack.enter_context(listening(fixture_id, env, logdir / "listener.log"))
        server, port = stack.enter_context(relay(logdir))
        wait_until_listening(fixture_id, listener, timeout=30)
        url = f"ws://127.0.0.1:{port}/soccer/fixtures/{fixture_id}/actions?startPosition=0"
        group = stack.enter_context(client_processes(url, key, clients, logdir, "relay"))
        ready = group.wait_ready(timeout=300)
        start = time.time() + 1.0
        end = start + seconds
        group.measure(start, end)
        sleep_until(start)
        meter = CpuMeter(
            {
                "relay": [server.pid],
                "clients": group.pids,
                "listener": [listener.pid],
                "simulator": [sim.pid],
            }
        )
        sleep_until(end)
        cpu = meter.stop()
        results = group.results(timeout=90)
    run = Run.merge("relay", results, ready, (start, end), cpu)
    stored = Packet.objects.filter(fixture_id=fixture_id).order_by("position")
    texts = list(stored.values_list("raw", flat=True))
    run.print("relay", texts)
    receipts = dict(stored.values_list("position", "received_at"))
    hop = [
        (run.first[p] - receipts[p].timestamp()) * 1000
        for p in run.first
        if p in receipts and run.first[p] >= start and receipts[p].timestamp() <= end
    ]
    print(f"    listener receipt → first client ms (store, publish, relay): {pcts(hop)}")
    return run


def floor_run(clients: int, seconds: float, logdir: Path) -> Run:
    fixture_id, kickoff, pace = scheduled_match(seconds, clients)
    print(f"    simulator pace {pace:.1f}")
    schedule = Schedule()
    schedule.add(fixture_id, kickoff=kickoff)
    frames = schedule.match(fixture_id, pace).frames
    with contextlib.ExitStack() as stack:
        sim, port = stack.enter_context(simulator(fixture_id, kickoff, pace, logdir))
        url = f"ws://127.0.0.1:{port}/soccer/fixtures/{fixture_id}/actions?startPosition=0"
        group = stack.enter_context(client_processes(url, SIM_TOKEN, clients, logdir, "floor"))
        ready = group.wait_ready(timeout=300)
        start = time.time() + 1.0
        end = start + seconds
        group.measure(start, end)
        sleep_until(start)
        meter = CpuMeter({"simulator": [sim.pid], "clients": group.pids})
        sleep_until(end)
        cpu = meter.stop()
        results = group.results(timeout=90)
    run = Run.merge("floor", results, ready, (start, end), cpu)
    run.print("simulator", frames)
    return run


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--clients", default="1000", help="client counts, one run each")
    parser.add_argument("--seconds", type=float, default=45, help="measured per run")
    parser.add_argument("--skip-floor", action="store_true")
    options = parser.parse_args()
    counts = [int(n) for n in options.clients.split(",") if n.strip()]
    nofile = raise_nofile_limit()
    logdir = Path(tempfile.mkdtemp(prefix="bench-relay-"))
    began = time.monotonic()
    print(f"Machine: {machine()}; load average {load_average()}")
    print(
        f"Command: {' '.join(sys.argv)}; database {settings.DATABASES['default']['NAME']}, "
        f"Redis {settings.REDIS_URL}, channel prefix {PREFIX}, open files {nofile}; logs {logdir}"
    )
    print(SEND_TIME)
    pairs = []
    for count in counts:
        print(f"\nRelay: one live match, listener → Postgres → Redis → relay → {count} clients:")
        run = relay_run(count, options.seconds, logdir)
        floor = None
        if not options.skip_floor:
            print(f"Floor: the simulator alone serving {count} clients the same way:")
            floor = floor_run(count, options.seconds, logdir)
        pairs.append((run, floor))
    print("\nRelay against the floor (same run), relay first:")
    for run, floor in pairs:
        if floor is None:
            continue
        r_cpu, f_cpu = run.cpu["relay"][0], floor.cpu["simulator"][0]
        r_each = r_cpu * run.seconds * 1000 / max(1, run.deliveries)
        f_each = f_cpu * floor.seconds * 1000 / max(1, floor.deliveries)
        print(
            f"  {run.clients} clients: latency ms p50 {percentile(run.latencies, 50):.1f} vs "
            f"{percentile(floor.latencies, 50):.1f}, p95 {percentile(run.latencies, 95):.1f} vs "
            f"{percentile(floor.latencies, 95):.1f}, p99 {percentile(run.latencies, 99):.1f} vs "
            f"{percentile(floor.latencies, 99):.1f}; server CPU {r_cpu:.3f} vs {f_cpu:.3f} cores, "
            f"per delivery {r_each:.3f} vs {f_each:.3f} ms"
        )
    print(f"\nTotal {time.monotonic() - began:.0f} s; load average {load_average()}")


if __name__ == "__main__":
    main()
