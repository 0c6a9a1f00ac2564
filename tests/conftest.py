"""Shared fixtures: a real simulator on a free loopback port, fixtures pointed at it."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest
from django.db import connection
from django.utils import timezone

from streams.dde.messages import DataPacket, parse_frame
from streams.feed.locks import process_locks
from streams.feed.writer import store_packets
from streams.models import Fixture
from streams.simulator import FaultSpec, Match, Schedule, Simulator
from streams.stored import Arrival
from tests.support.processes import started_web

TOKEN = "test-token"


def pytest_addoption(parser: pytest.Parser) -> None:
    # Here, not in tests/faults/conftest.py: pytest reads options only from the root conftest.
    parser.addoption(
        "--soak",
        action="store_true",
        help="fault suite: the long soak (50 matches; FAULT_SOAK_MATCHES=N to choose)",
    )


ACCEPT = "application/vnd.imggaming.dde.api+json;version=1"


@pytest.fixture(scope="session", autouse=True)
def _close_shared_connections(django_db_setup: None) -> Iterator[None]:
    """Close the lock connection and the pool before the test database is dropped."""
    yield
    process_locks().close()
    connection.close_pool()


class RunningFeed:
    """A simulator serving in a background thread, and how to read its REST twins."""

    def __init__(self, simulator: Simulator, running: Any) -> None:
        self.simulator = simulator
        self.running = running
        self.ws_url: str = running.ws_url
        self.http_url: str = running.http_url

    @property
    def stats(self) -> Any:
        return self.simulator.stats

    def actions(self, fixture_id: uuid.UUID) -> list[dict[str, Any]]:
        """All packets of a match, from the simulator's REST actions endpoint."""
        response = httpx.get(
            f"{self.http_url}/soccer/fixtures/{fixture_id}/actions",
            headers={"Accept": ACCEPT, "Authorization": f"Bearer {TOKEN}"},
            timeout=10,
        )
        response.raise_for_status()
        packets: list[dict[str, Any]] = response.json()
        return packets


StartFeed = Callable[..., RunningFeed]


@pytest.fixture
def start_feed(settings: Any) -> Iterator[StartFeed]:
    """Start a simulator (options as for ``Simulator``) and point the product at it."""
    started: list[Any] = []

    def start(
        *,
        faults: str = "",
        pace: float = 1.0,
        heartbeat: float = 1.0,
        token: str = TOKEN,
        schedule: Schedule | None = None,
    ) -> RunningFeed:
        simulator = Simulator(
            schedule=schedule or Schedule(),
            token=token,
            pace=pace,
            heartbeat=heartbeat,
            faults=FaultSpec.parse(faults),
        )
        running = simulator.start_in_thread("127.0.0.1", 0)
        started.append(running)
        settings.DDE_STREAMS_URL = running.ws_url
        settings.DDE_API_URL = running.http_url
        settings.DDE_AUTH_TOKEN = TOKEN
        settings.DDE_WATCHDOG_SECONDS = heartbeat * 3
        return RunningFeed(simulator, running)

    yield start
    for running in started:
        running.stop()


@pytest.fixture
def web_process(transactional_db: None) -> Iterator[str]:
    """The web process as deployed, on a free port, on the test database: its base URL."""
    with started_web() as url:
        yield url


@pytest.fixture
def make_fixture() -> Callable[..., Fixture]:
    """Create a fixture whose listen window is open now."""

    def make(fixture_id: uuid.UUID | None = None, **fields: Any) -> Fixture:
        now = timezone.now()
        values: dict[str, Any] = {
            "home_team": "Home",
            "away_team": "Away",
            "kickoff": now,
            "listen_from": now - dt.timedelta(minutes=1),
            "listen_until": now + dt.timedelta(hours=1),
            **fields,
        }
        return Fixture.objects.create(id=fixture_id or uuid.uuid4(), **values)

    return make


def arrived(packets: list[DataPacket], at: dt.datetime | None = None) -> list[Arrival]:
    """The packets as the listener hands them to the writer, all received ``at`` (now)."""
    received_at = at or timezone.now()
    return [Arrival(packet, received_at) for packet in packets]


def match_packets(match: Match) -> list[DataPacket]:
    """A generated match's data packets, parsed as the listener parses them."""
    parsed = [parse_frame(frame) for frame in match.frames]
    return [p for p in parsed if isinstance(p, DataPacket)]


def store_match(match: Match, packets: list[DataPacket] | None = None) -> Fixture:
    """The match stored as the listener would store it: all of it, or the ``packets``
    given (its first ones, say)."""
    fixture = Fixture.objects.create(
        id=match.fixture_id,
        home_team=match.home.name,
        away_team=match.away.name,
        kickoff=match.kickoff,
        listen_from=match.kickoff - dt.timedelta(minutes=30),
        listen_until=match.kickoff + dt.timedelta(hours=4),
    )
    store_packets(fixture.id, match_packets(match) if packets is None else packets)
    fixture.refresh_from_db()
    return fixture
