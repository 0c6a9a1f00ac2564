"""A second copy of the product's own listener follows the relay and stores the same log.

The copy is another installation: a process of its own (``copy_listener``, which runs the
product's ``manage.py listen`` unchanged) with a database of its own (the test database's
name + ``_copy``, migrated like any), its own channel-layer prefix, and only its base URL
(``DDE_STREAMS_URL``) and token changed. So the same fixture id is stored twice, in two
databases, and the two logs are compared row by row: position, the text as received, and
jsonb's reading of it. The original is stored by the product's listener following the
simulator, live, while the copy follows the relay; or it is a finished match, stored
first and then followed fast. Each case also runs through a proxy that cuts the
connection every 50 packets, so the copy resumes with ``startPosition`` each time.
"""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
import uuid
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor

import psycopg
import pytest
from django.db import connection, connections
from django.utils import timezone

from streams.feed.listener import Outcome, follow
from streams.models import Fixture, Packet
from streams.simulator import Schedule, generate_match
from tests.conftest import StartFeed, store_match
from tests.relay.conftest import RunningRelay, child_env, server_conninfo
from tests.relay.cutter import CuttingProxy
from tests.support.processes import ROOT, worker_database_url
from tests.support.waiting import wait_for

# A second installation in a process of its own, and live matches played in real time.
pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]

CUT_EVERY = 50
LIVE_PACE = 400  # a match in about 18 s

Row = tuple[int, str, str, float]  # position, raw, payload::text, received_at (Unix time)
_LOG = f"""
    SELECT position, raw, payload::text, extract(epoch FROM received_at)::float8
    FROM {Packet._meta.db_table} WHERE fixture_id = %s ORDER BY position
"""


@pytest.fixture(scope="module")
def copy_database(django_db_setup: None) -> Iterator[str]:
    """The second installation's database, migrated as `make run` migrates."""
    name = connections["default"].settings_dict["NAME"] + "_copy"
    with psycopg.connect(server_conninfo("postgres"), autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.execute(f'CREATE DATABASE "{name}"')
    migrate = [sys.executable, "manage.py", "migrate", "--noinput", "-v0"]
    subprocess.run(
        migrate, cwd=ROOT, env=child_env(DATABASE_URL=worker_database_url(name)), check=True
    )
    yield name
    with psycopg.connect(server_conninfo("postgres"), autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


class Copy:
    """The copy's listener process and what it stored."""

    def __init__(self, database: str, fixture_id: uuid.UUID, streams_url: str, key: str) -> None:
        self.database = database
        self.fixture_id = fixture_id
        env = child_env(
            DATABASE_URL=worker_database_url(database),
            CHANNEL_LAYER_PREFIX=f"copy{uuid.uuid4().hex[:8]}",
            DDE_STREAMS_URL=streams_url,
            DDE_AUTH_TOKEN=key,
            DDE_WATCHDOG_SECONDS="3",
            LOG_LEVEL="INFO",
        )
        command = [sys.executable, "-m", "tests.relay.copy_listener", str(fixture_id)]
        self.process = subprocess.Popen(
            [*command, "--speed", "fast"],
            cwd=ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
        )

    def wait(self, timeout: float) -> str:
        try:
            output, _ = self.process.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.process.kill()
            output, _ = self.process.communicate()
            sys.stdout.write(output.decode(errors="replace"))
            raise
        text = output.decode(errors="replace")
        sys.stdout.write(text)  # shown if the test fails
        assert self.process.returncode == 0, text[-3000:]
        return text

    def rows(self) -> list[Row]:
        with psycopg.connect(server_conninfo(self.database)) as db:
            return [tuple(row) for row in db.execute(_LOG, [self.fixture_id])]  # type: ignore[misc]

    def count(self) -> int:
        with psycopg.connect(server_conninfo(self.database)) as db:
            table = Packet._meta.db_table
            query = f"SELECT count(*) FROM {table} WHERE fixture_id = %s"
            row = db.execute(query, [self.fixture_id]).fetchone()
            return int(row[0]) if row else 0

    def reconnects(self) -> int:
        with psycopg.connect(server_conninfo(self.database)) as db:
            table = Fixture._meta.db_table
            row = db.execute(f"SELECT reconnects FROM {table} WHERE id = %s", [self.fixture_id])
            found = row.fetchone()
            return int(found[0]) if found else 0


def original_rows(fixture_id: uuid.UUID) -> list[Row]:
    with connection.cursor() as cursor:
        cursor.execute(_LOG, [fixture_id])
        return [tuple(row) for row in cursor.fetchall()]  # type: ignore[misc]


def assert_identical(original: list[Row], copy: list[Row], frames: list[str]) -> None:
    """Same positions, same text byte for byte, same jsonb; and that text is the feed's."""
    assert [r[0] for r in copy] == [r[0] for r in original] == list(range(len(frames)))
    assert [r[1] for r in original] == frames  # the original kept what the feed sent
    assert [r[1] for r in copy] == [r[1] for r in original]
    assert [r[2] for r in copy] == [r[2] for r in original]


def streams_url(relay: RunningRelay, cut: bool, started: list[CuttingProxy]) -> str:
    if not cut:
        return relay.ws_url
    proxy = CuttingProxy(relay.ws_url, CUT_EVERY).start()
    started.append(proxy)
    return proxy.ws_url


@pytest.fixture
def proxies() -> Iterator[list[CuttingProxy]]:
    started: list[CuttingProxy] = []
    yield started
    for proxy in started:
        proxy.stop()


@pytest.mark.parametrize("cut", [False, True], ids=["whole", f"cut-every-{CUT_EVERY}"])
def test_a_copy_following_the_relay_of_a_finished_fixture_fast_stores_an_identical_log(
    relay: RunningRelay,
    copy_database: str,
    stream_key: str,
    proxies: list[CuttingProxy],
    cut: bool,
) -> None:
    match = generate_match(uuid.uuid4(), timezone.now() - dt.timedelta(hours=3))
    store_match(match)
    copy = Copy(copy_database, match.fixture_id, streams_url(relay, cut, proxies), stream_key)
    output = copy.wait(timeout=120)
    assert "finished" in output
    assert_identical(original_rows(match.fixture_id), copy.rows(), match.frames)
    if cut:
        assert proxies[0].cuts == len(match.frames) // CUT_EVERY
        assert copy.reconnects() >= proxies[0].cuts


@pytest.mark.parametrize("cut", [False, True], ids=["whole", f"cut-every-{CUT_EVERY}"])
def test_a_copy_following_the_relay_of_a_live_fixture_stores_an_identical_log(
    relay: RunningRelay,
    copy_database: str,
    stream_key: str,
    start_feed: StartFeed,
    make_fixture: Callable[..., Fixture],
    proxies: list[CuttingProxy],
    cut: bool,
) -> None:
    fixture_id = uuid.uuid4()
    schedule = Schedule()
    schedule.add(fixture_id, kickoff=timezone.now() + dt.timedelta(seconds=1))
    feed = start_feed(schedule=schedule, pace=LIVE_PACE)
    make_fixture(fixture_id)
    # The original: the product's listener following the simulator, in this process.
    original: Future[Outcome] = ThreadPoolExecutor(1).submit(lambda: follow(fixture_id))
    # Started at once: the match lasts about 18 s, the copy's process takes a few to start.
    copy = Copy(copy_database, fixture_id, streams_url(relay, cut, proxies), stream_key)
    # The copy is under way while the original is still being stored.
    wait_for(lambda: copy.count() > 0, timeout=30, what="the copy's first packet")
    assert not original.done()
    assert original.result(timeout=120) is Outcome.FINISHED
    copy.wait(timeout=60)
    frames = feed.simulator.schedule.match(fixture_id, LIVE_PACE).frames  # what its socket sent
    source, copied = original_rows(fixture_id), copy.rows()
    assert_identical(source, copied, frames)
    # Live: the packets stored after the copy connected reached it as they were stored.
    joined = copied[0][3]
    lags = [c[3] - o[3] for o, c in zip(source, copied, strict=True) if o[3] > joined + 1]
    assert len(lags) > len(frames) // 2
    lags.sort()
    sys.stdout.write(f"lags: n={len(lags)} median={lags[len(lags) // 2]:.4f} max={lags[-1]:.3f}\n")
    assert lags[len(lags) // 2] < 1.0, lags[len(lags) // 2]  # median, seconds
    if cut:
        assert proxies[0].cuts >= len(frames) // CUT_EVERY - 1
