"""Export benchmark: a million stored actions as CSV and NDJSON through the web process, and
JSON pages.

Run with `scripts/bench.sh bench/export.py [--runs N] [--actions N]`. It uses the database
named by DATABASE_URL (scripts/bench.sh defaults it to `dde_bench`), inserts its own
fixtures (kick-offs in 2001, so nothing else is touched) with one INSERT ... SELECT over
generate_series, starts the web process as deployed (`python -m dde_site.processes web`,
uvicorn) on a free port, and reads the bulk export with httpx, sampling the server's RSS
from /proc while it streams. Its rows are deleted at the end unless --keep is given (a
later run then reuses them).
"""

from __future__ import annotations

import argparse
import contextlib
import os
import random
import secrets
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import psycopg

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dde_site.settings")

import django  # noqa: E402

django.setup()

from _measure import free_port, machine, percentile  # noqa: E402
from _processes import rss_mb, stop_process, wait_for_port  # noqa: E402
from django.conf import settings  # noqa: E402
from django.db import connection  # noqa: E402

from dde_site import processes  # noqa: E402
from dde_site.processes import ASGI_APP  # noqa: E402
from streams.api import export  # noqa: E402
from streams.api.filters import BulkActionFilter  # noqa: E402
from streams.conninfo import database_conninfo  # noqa: E402
from streams.models import Action, ApiToken, Fixture  # noqa: E402

ACTIONS_PER_FIXTURE = 1000
RANGE = "kickoff_from=2001-01-01&kickoff_to=2001-12-31"
SEED = "bench-export"

INSERT_FIXTURES = """
INSERT INTO streams_fixture (id, name, home_team, away_team, home_team_id, away_team_id,
    home_colour, away_colour, kickoff, listen_from, listen_until, feed, speed, status,
    collection_status, home_score, away_score, periods, current_period, clock_time,
    clock_state, finished, last_position, listener_state, listener_error, reconnects,
    listener_epoch, stop_requested, created_at, updated_at, coverage_level, vendor_deleted,
    competition, venue)
SELECT md5(%(seed)s || f)::uuid, '', 'Home Town ' || f, 'Away Rovers ' || f, '', '',
    '255, 102, 0', '5, 52, 13', k, k - interval '30 minutes', k + interval '3 hours',
    'betting', 'fast', 'Completed', 'CollectionCompleted', 2, 1, '[]', 2, '95:00',
    'stopped', true, %(per)s - 1, 'finished', '', 0, 0, false, now(), now(), 'Standard stream',
    false, 'Bench League', 'Home Town ' || f || ' Stadium'
FROM generate_series(1, %(fixtures)s) AS f,
    LATERAL (SELECT '2001-01-01'::timestamptz + f * interval '5 hours' AS k) AS t
"""
# Values shaped like a real match's: names, ids, a small metadata object, one action in
# fifty removed, one in a hundred sent late, a few with no team.
INSERT_ACTIONS = """
INSERT INTO streams_action (fixture_id, action_id, type_id, type_name, subtype_id,
    subtype_name, send_type, send_type_id, period, clock_time, timestamp, team_id, team_name,
    team_is_home, player_id, player_name, metadata, related_action_ids, timeline_sequence,
    fixture_seq_num, removed, restored, first_position, last_position, delayed)
SELECT md5(%(seed)s || f)::uuid, md5(%(seed)s || f || '/' || a)::uuid,
    100 + a %% 16, (ARRAY['Goal', 'Shot On Target', 'Shot Off Target', 'Corner', 'Free Kick',
        'Offside', 'Penalty Awarded', 'Yellow Card', 'Red Card', 'Foul', 'Dangerous Attack',
        'Goal Disallowed', 'Throw In', 'Goal Kick', 'Shootout Penalty', 'Kick Off'])[1 + a %% 16],
    CASE WHEN a %% 3 = 0 THEN (100 + a %% 16) * 100 + 1 END,
    CASE WHEN a %% 3 = 0 THEN 'Inside Box' ELSE '' END,
    CASE WHEN a %% 50 = 0 THEN 'Deleted' ELSE 'Confirmed' END,
    CASE WHEN a %% 50 = 0 THEN 4 ELSE 5 END,
    1 + a / 500, lpad((a / 11)::text, 2, '0') || ':' || lpad((a %% 60)::text, 2, '0'),
    '2001-01-01'::timestamptz + f * interval '5 hours' + a * interval '5.3 seconds',
    CASE WHEN a %% 20 = 0 THEN '' ELSE md5('team' || a %% 2)::uuid::text END,
    CASE WHEN a %% 20 = 0 THEN ''
        WHEN a %% 2 = 0 THEN 'Home Town ' || f ELSE 'Away Rovers ' || f END,
    CASE WHEN a %% 20 = 0 THEN NULL ELSE a %% 2 = 0 END,
    md5('player' || a %% 22)::uuid::text, 'Player Number ' || a %% 22,
    CASE WHEN a %% 7 = 0 THEN '{"HomeTeamColour": "255, 102, 0", "AwayTeamColour": "5, 52, 13"}'
        ELSE '{}' END::jsonb,
    '[]'::jsonb, 1 + a / 1e9, a + 1, a %% 50 = 0, false, a, a, a %% 100 = 1
FROM generate_series(1, %(fixtures)s) AS f, generate_series(0, %(per)s - 1) AS a
"""


def bench_fixture_ids(fixtures: int) -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT md5(%s || f)::uuid::text FROM generate_series(1, %s) AS f", [SEED, fixtures]
        )
        return [row[0] for row in cursor.fetchall()]


def seed(total: int) -> int:
    """Insert the bench's fixtures and actions unless they are there; returns the count."""
    fixtures = total // ACTIONS_PER_FIXTURE
    ids = bench_fixture_ids(fixtures)
    stored = Action.objects.filter(fixture_id__in=ids).count()
    if stored == fixtures * ACTIONS_PER_FIXTURE:
        print(f"Reusing {stored} stored actions of {fixtures} fixtures.")
        return stored
    remove(fixtures)
    started = time.perf_counter()
    params: dict[str, str | int] = {"seed": SEED, "fixtures": fixtures, "per": ACTIONS_PER_FIXTURE}
    with connection.cursor() as cursor:
        cursor.execute(INSERT_FIXTURES, params)
        cursor.execute(INSERT_ACTIONS, params)
        cursor.execute("ANALYZE streams_fixture")
        cursor.execute("ANALYZE streams_action")
    count = fixtures * ACTIONS_PER_FIXTURE
    print(
        f"Inserted {count} actions of {fixtures} fixtures in {time.perf_counter() - started:.1f} s."
    )
    return count


def remove(fixtures: int) -> None:
    Fixture.objects.filter(id__in=bench_fixture_ids(fixtures)).delete()


SERVERS = ("uvicorn", "daphne")


def server_command(server: str, port: int) -> list[str]:
    """``uvicorn``: the web process as deployed (`python -m dde_site.processes web`);
    ``daphne``: what served it before, for a baseline in the same run."""
    if server == "uvicorn":
        return processes.command(["web", "--port", str(port)])
    if server == "daphne":
        return [sys.executable, "-m", "daphne", "-b", "127.0.0.1", "-p", str(port), ASGI_APP]
    raise ValueError(f"unknown server {server!r}: one of {', '.join(SERVERS)}")


@contextlib.contextmanager
def web_server(server: str) -> Iterator[tuple[str, int]]:
    """``server`` with production settings on loopback: its base URL and pid."""
    port = free_port()
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "dde_site.settings",
        "DEBUG": "false",
        "SECRET_KEY": secrets.token_urlsafe(50),
        # Plain HTTP on loopback: no redirect to HTTPS.
        "SECURE_SSL_REDIRECT": "false",
        "ALLOWED_HOSTS": "127.0.0.1",
        "API_THROTTLE_RATE": "1000000/min",
        "LOG_LEVEL": "WARNING",
    }
    process = subprocess.Popen(
        server_command(server, port),
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        wait_for_port(port, process, timeout=30)
        yield f"http://127.0.0.1:{port}", process.pid
    finally:
        stop_process(process, timeout=15)


class RssSampler(threading.Thread):
    """Peak RSS of a process, sampled every 20 ms until stopped."""

    def __init__(self, pid: int) -> None:
        super().__init__(daemon=True)
        self.pid = pid
        self.peak = rss_mb(pid)
        self.done = threading.Event()

    def run(self) -> None:
        while not self.done.wait(0.02):
            self.peak = max(self.peak, rss_mb(self.pid))


def stream_once(client: httpx.Client, url: str, pid: int) -> tuple[int, float, float, float]:
    """(rows, seconds to first byte, seconds in all, RSS growth in MiB) for one download."""
    before = rss_mb(pid)
    sampler = RssSampler(pid)
    sampler.start()
    started = time.perf_counter()
    first = 0.0
    newlines = 0
    with client.stream("GET", url) as response:
        response.raise_for_status()
        for chunk in response.iter_raw(1 << 20):
            if not first:
                first = time.perf_counter() - started
            newlines += chunk.count(b"\n")
    elapsed = time.perf_counter() - started
    sampler.done.set()
    sampler.join()
    rows = newlines - (1 if "format=csv" in url else 0)
    return rows, first, elapsed, sampler.peak - before


def bench_streams(base: str, client: httpx.Client, pid: int, runs: int, expected: int) -> None:
    for fmt in ("csv", "ndjson"):
        url = f"{base}/api/actions/?{RANGE}&include_removed=true&format={fmt}"
        results = [stream_once(client, url, pid) for _ in range(runs)]
        assert all(rows == expected for rows, *_ in results), [r[0] for r in results]
        rates = [rows / elapsed for rows, _, elapsed, _ in results]
        firsts = [first * 1000 for _, first, _, _ in results]
        growth = [g for *_, g in results]
        print(
            f"    {fmt:6s} {statistics.median(rates):12.0f} [{min(rates):.0f}-{max(rates):.0f}]"
            f" {statistics.median(firsts):14.0f} {max(growth):15.1f}"
            f"   (first byte max {max(firsts):.0f} ms; RSS before {rss_mb(pid):.0f} MiB)"
        )


def bench_copy_floor(runs: int, expected: int) -> None:
    """The floor: Postgres alone writing the same rows of the same query as CSV (`COPY ...
    TO STDOUT`) to one client, read as the bench reads a download."""
    filters = BulkActionFilter(
        {"kickoff_from": "2001-01-01", "kickoff_to": "2001-12-31", "include_removed": "true"},
        queryset=Action.objects.all(),
    )
    sql, params = filters.qs.values_list(*export.BULK_COLUMNS).query.sql_with_params()
    rates = []
    with psycopg.connect(database_conninfo(options="-c TimeZone=UTC -c jit=off")) as conn:
        query = psycopg.ClientCursor(conn).mogrify(sql, params)
        for _ in range(runs):
            started = time.perf_counter()
            newlines = 0
            with conn.cursor().copy(f"COPY ({query}) TO STDOUT (FORMAT csv)") as copy:
                for block in copy:
                    newlines += bytes(block).count(b"\n")
            assert newlines == expected, newlines
            rates.append(newlines / (time.perf_counter() - started))
    print(
        f"  {'COPY':8s} {statistics.median(rates):12.0f} [{min(rates):.0f}-{max(rates):.0f}]"
        "   (floor: Postgres alone, the same query as CSV to one client)"
    )


def timed_get(client: httpx.Client, url: str) -> tuple[float, dict[str, object]]:
    started = time.perf_counter()
    response = client.get(url)
    elapsed = (time.perf_counter() - started) * 1000
    response.raise_for_status()
    return elapsed, response.json()


def bench_pages(base: str, client: httpx.Client, requests: int, fixtures: list[str]) -> None:
    walk: list[float] = []
    url: str | None = f"{base}/api/actions/?{RANGE}&include_removed=true&page_size=1000"
    while url and len(walk) < requests:
        elapsed, page = timed_get(client, url)
        assert len(page["results"]) == 1000  # type: ignore[arg-type]
        walk.append(elapsed)
        url = page["next"]  # type: ignore[assignment]
    per_fixture: list[float] = []
    for fixture_id in random.Random(1).sample(fixtures, requests):
        query = "include_removed=true&page_size=1000"
        elapsed, page = timed_get(client, f"{base}/api/fixtures/{fixture_id}/actions/?{query}")
        assert len(page["results"]) == 1000  # type: ignore[arg-type]
        per_fixture.append(elapsed)
    for label, times in [
        ("bulk, walking next links (keyset)", walk),
        ("one fixture's actions, first page", per_fixture),
    ]:
        print(
            f"    {label:36s} p50 {percentile(times, 50):6.1f}  p90 {percentile(times, 90):6.1f}"
            f"  p99 {percentile(times, 99):6.1f}  max {max(times):6.1f}"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--actions", type=int, default=1_000_000)
    parser.add_argument("--pages", type=int, default=200)
    parser.add_argument("--keep", action="store_true", help="keep the inserted rows")
    parser.add_argument(
        "--servers",
        type=lambda text: [name for name in text.split(",") if name],
        default=list(SERVERS),
        help="web servers measured, the shipped one first (uvicorn,daphne)",
    )
    options = parser.parse_args()
    print(f"Machine: {machine()}")
    print(f"Command: {' '.join(sys.argv)}; database {settings.DATABASES['default']['NAME']}")
    expected = seed(options.actions)
    fixtures = bench_fixture_ids(options.actions // ACTIONS_PER_FIXTURE)
    token, key = ApiToken.issue("bench-export")
    connection.close()
    headers = {"Authorization": f"Token {key}"}
    try:
        print(f"\nStreamed bulk export of {expected} actions ({options.runs} runs each):")
        heads = f"{'rows/s median [min-max]':>28s} {'first byte ms':>14s} {'RSS growth MiB':>15s}"
        print(f"  {'format':8s} {heads}")
        bench_copy_floor(options.runs, expected)
        connection.close()
        for server in options.servers:
            print(f"  {server}:")
            with (
                web_server(server) as (base, pid),
                httpx.Client(headers=headers, timeout=600) as client,
            ):
                timed_get(client, f"{base}/api/fixtures/?page_size=1")  # warm-up
                bench_streams(base, client, pid, options.runs, expected)
                print(f"    paged JSON, {options.pages} requests of 1,000 actions each, ms:")
                bench_pages(base, client, options.pages, fixtures)
    finally:
        token.delete()
        if not options.keep:
            remove(len(fixtures))


if __name__ == "__main__":
    main()
