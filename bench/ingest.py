"""Ingest benchmark: fast replays into Postgres, resume after drops, one worker at live pace.

Run with `make bench-ingest` (or `scripts/bench.sh bench/ingest.py [--matches N]`). It uses
the database named by DATABASE_URL (scripts/bench.sh defaults it to `dde_bench`), starts
the simulator in this process and, for the live part, a real Celery worker process.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import datetime as dt
import logging
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dde_site.settings")

import django  # noqa: E402

django.setup()

import structlog  # noqa: E402
from _measure import free_port, machine, percentile  # noqa: E402
from _processes import cpu_seconds, rss_mb  # noqa: E402
from django.conf import settings  # noqa: E402
from django.db import connections  # noqa: E402
from django.utils import timezone  # noqa: E402

from dde_site.celery import app as celery_app  # noqa: E402
from streams.dde.client import FeedClient, FeedEndpoint  # noqa: E402
from streams.dde.messages import DataPacket  # noqa: E402
from streams.dde.rest import DdeApi  # noqa: E402
from streams.feed.listener import follow  # noqa: E402
from streams.models import Fixture, Packet  # noqa: E402
from streams.simulator import FaultSpec, Schedule, Simulator  # noqa: E402
from streams.tasks import enqueue_listener  # noqa: E402

TOKEN = "bench-token"


@contextlib.contextmanager
def simulator_process(faults: str = "") -> Iterator[None]:
    """The simulator in its own process, so it does not share this one's GIL."""
    port = free_port()
    command = [
        sys.executable,
        "manage.py",
        "dde_simulator",
        "--port",
        str(port),
        "--token",
        TOKEN,
        "--faults",
        faults,
    ]
    process = subprocess.Popen(
        command, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    try:
        deadline = time.monotonic() + 15
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.1)
        settings.DDE_STREAMS_URL = f"ws://127.0.0.1:{port}"
        settings.DDE_API_URL = f"http://127.0.0.1:{port}"
        settings.DDE_AUTH_TOKEN = TOKEN
        yield
    finally:
        process.terminate()
        process.wait(timeout=10)


def start_simulator(schedule: Schedule | None = None, faults: str = "", pace: float = 1.0) -> Any:
    """The simulator in a thread of this process (for many scheduled live fixtures)."""
    sim = Simulator(
        schedule=schedule or Schedule(),
        token=TOKEN,
        pace=pace,
        heartbeat=10.0,
        faults=FaultSpec.parse(faults),
    )
    running = sim.start_in_thread("127.0.0.1", 0)
    settings.DDE_STREAMS_URL = running.ws_url
    settings.DDE_API_URL = running.http_url
    settings.DDE_AUTH_TOKEN = TOKEN
    return running


def new_fixture(fixture_id: uuid.UUID | None = None) -> Fixture:
    now = timezone.now()
    return Fixture.objects.create(
        id=fixture_id or uuid.uuid4(),
        home_team="Home",
        away_team="Away",
        kickoff=now,
        listen_from=now - dt.timedelta(minutes=1),
        listen_until=now + dt.timedelta(hours=3),
    )


def recorded_match() -> uuid.UUID:
    """A new fixture id whose match the simulator has already generated (≈ 30 ms the first
    time it is asked for): the vendor has a match recorded, so that time is not the
    listener's. Asking the REST twin for its actions makes the simulator generate it."""
    fixture_id = uuid.uuid4()
    DdeApi(settings.DDE_API_URL, TOKEN).actions(str(fixture_id))
    return fixture_id


async def read_whole_match(ws_url: str, fixture_id: uuid.UUID) -> int:
    """The floor: the same match read by the client alone, storing nothing."""
    endpoint = FeedEndpoint(ws_url, str(fixture_id), TOKEN, speed="fast")
    count = 0
    events = FeedClient(endpoint).events(lambda: count)
    async for event in events:
        if isinstance(event, DataPacket):
            count += 1
            if event.finished:
                break
    await events.aclose()
    return count


def replay_rate(batch_max: int, runs: int) -> list[float]:
    settings.LISTENER_BATCH_MAX = batch_max
    # One replay not counted: a worker that has run for a while has its pool connections.
    follow(new_fixture(recorded_match()).id, speed="fast")
    rates = []
    for _ in range(runs):
        fixture = new_fixture(recorded_match())
        started = time.perf_counter()
        follow(fixture.id, speed="fast")
        elapsed = time.perf_counter() - started
        rates.append(Packet.objects.filter(fixture=fixture).count() / elapsed)
    return rates


def bench_replays(runs: int) -> None:
    with simulator_process():
        floor = []
        for _ in range(runs):
            fixture_id = recorded_match()
            started = time.perf_counter()
            count = asyncio.run(read_whole_match(settings.DDE_STREAMS_URL, fixture_id))
            floor.append(count / (time.perf_counter() - started))
        batch_max = settings.LISTENER_BATCH_MAX
        batched = replay_rate(batch_max, runs)
        single = replay_rate(1, runs)
        settings.LISTENER_BATCH_MAX = batch_max
    print(f"\nFast replay of one whole match ({runs} runs each), packets/s, median [min-max]:")
    for label, rates in (
        ("client only, nothing stored (floor)", floor),
        ("listener, batched transactions", batched),
        ("listener, one transaction per packet", single),
    ):
        print(f"  {label:40s} {statistics.median(rates):8.0f}  [{min(rates):.0f}-{max(rates):.0f}]")


def bench_resume(drop_every: int) -> None:
    """Time from a dropped connection to the next packet stored, from listener events."""
    events: list[tuple[float, str]] = []

    def record(_: Any, __: str, event_dict: dict[str, Any]) -> dict[str, Any]:
        events.append((time.perf_counter(), event_dict["event"]))
        raise structlog.DropEvent

    structlog.configure(processors=[record])
    logging.getLogger("streams.feed.listener").setLevel(logging.DEBUG)  # it logs each store
    with simulator_process(faults=f"drop={drop_every},drop_code=abort"):
        fixture = new_fixture()
        follow(fixture.id, speed="fast")
    gaps, dropped_at = [], None
    for at, name in events:
        if name == "listener.disconnected":
            dropped_at = at
        elif name == "listener.stored" and dropped_at is not None:
            gaps.append((at - dropped_at) * 1000)
            dropped_at = None
    print(f"\nResume after a dropped connection (drop every {drop_every} packets, 1006):")
    print(
        f"  drops {len(gaps)}; drop to next stored packet ms: p50 {percentile(gaps, 50):.0f}, "
        f"p95 {percentile(gaps, 95):.0f}, max {max(gaps):.0f}"
    )


def bench_live(matches: int, seconds: float, worker_env: list[str]) -> None:
    schedule = Schedule()
    ids = [uuid.uuid4() for _ in range(matches)]
    now = timezone.now()
    for i, fixture_id in enumerate(ids):
        # Kick-offs spread over the last five minutes: every match is in play when
        # measured, after a short catch-up of what was already played.
        schedule.add(fixture_id, kickoff=now - dt.timedelta(seconds=30 + i * 270 / matches))
    start_simulator(schedule=schedule, pace=1.0)
    celery_app.control.purge()
    for fixture_id in ids:
        new_fixture(fixture_id)
    db = connections["default"].settings_dict
    log_path = Path(tempfile.mkdtemp()) / "worker.log"
    env = {
        **os.environ,
        "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
        "DDE_STREAMS_URL": settings.DDE_STREAMS_URL,
        "DDE_AUTH_TOKEN": TOKEN,
        "REDIS_URL": settings.REDIS_URL,
        "LOG_JSON": "true",
        "LOG_LEVEL": "DEBUG",
        **dict(item.split("=", 1) for item in worker_env),
    }
    command = [
        "celery",
        "-A",
        "dde_site",
        "worker",
        "-Q",
        "listeners",
        "-P",
        "threads",
        "-c",
        str(matches + 10),
        "--loglevel",
        "WARNING",
    ]
    log = log_path.open("w")
    worker = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    try:
        time.sleep(3)
        for fixture_id in ids:  # only ours: earlier runs left fixtures in this database
            enqueue_listener(fixture_id)
        wait_until_all_listening(ids, timeout=90)
        time.sleep(10)  # the last catch-up replays finish; from here on, live only
        log_offset = log_path.stat().st_size
        cpu0, t0 = cpu_seconds(worker.pid), time.monotonic()
        time.sleep(seconds)
        cpu = (cpu_seconds(worker.pid) - cpu0) / (time.monotonic() - t0)
        rss = rss_mb(worker.pid)
        followed = Fixture.objects.filter(pk__in=ids, listener_state="listening").count()
    finally:
        worker.send_signal(signal.SIGTERM)
        worker.wait(timeout=30)
        log.close()
    latencies = commit_latencies(log_path, log_offset)
    print(f"\nOne worker process following {matches} matches at live pace for {seconds:.0f} s:")
    print(
        f"  listening: {followed}/{matches}; CPU {cpu:.3f} cores; RSS {rss:.0f} MB; log {log_path}"
    )
    if latencies:
        print(
            f"  packets stored while measured: {len(latencies)}; receive-to-commit ms: "
            f"p50 {percentile(latencies, 50):.1f}, p99 {percentile(latencies, 99):.1f}"
        )


def wait_until_all_listening(ids: list[uuid.UUID], timeout: float) -> None:
    deadline = time.monotonic() + timeout
    fixtures = Fixture.objects.filter(pk__in=ids, listener_state="listening")
    while fixtures.count() < len(ids) and time.monotonic() < deadline:
        time.sleep(1)


def commit_latencies(path: Path, offset: int) -> list[float]:
    import json

    values = []
    with path.open() as lines:
        lines.seek(offset)
        for line in lines:
            if '"listener.stored"' in line:
                values.append(float(json.loads(line)["commit_ms"]))
    return values


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--matches", type=int, default=200)
    parser.add_argument("--live-seconds", type=float, default=60)
    parser.add_argument("--skip-live", action="store_true")
    parser.add_argument("--skip-replay", action="store_true")
    parser.add_argument("--worker-env", action="append", default=[], help="KEY=VALUE")
    options = parser.parse_args()
    print(f"Machine: {machine()}")
    print(f"Command: {' '.join(sys.argv)}; database {settings.DATABASES['default']['NAME']}")
    if not options.skip_replay:
        bench_replays(options.runs)
    if not options.skip_live:
        bench_live(options.matches, options.live_seconds, options.worker_env)
    bench_resume(drop_every=100)


if __name__ == "__main__":
    main()
