"""Fixtures for the simulator tests: a real server on a free loopback port."""

from __future__ import annotations

import contextlib
import datetime as dt
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import httpx
import pytest

from streams.simulator import Match, Schedule, Simulator, generate_match
from streams.simulator.server import Serving
from tests.simulator.client import HEADERS, TOKEN, stream_url

NAMESPACE = uuid.UUID("3d1c2b8e-1f0a-4c1e-9a4e-7f6b5a4c3d2e")


@dataclass
class Server:
    """A serving simulator and the URLs to reach it."""

    simulator: Simulator
    serving: Serving

    @property
    def ws_url(self) -> str:
        return self.serving.ws_url

    @property
    def http_url(self) -> str:
        return self.serving.http_url

    def stream(self, fixture_id: uuid.UUID | str, **query: object) -> str:
        return stream_url(self.ws_url, fixture_id, **query)

    async def get(self, path: str, headers: dict[str, str] | None = None) -> httpx.Response:
        async with httpx.AsyncClient(base_url=self.http_url, timeout=10) as client:
            return await client.get(path, headers=HEADERS if headers is None else headers)


StartServer = Callable[..., Awaitable[Server]]


@pytest.fixture
async def start_server() -> AsyncIterator[StartServer]:
    """Start simulators (options as for ``Simulator``); all stop after the test."""
    async with contextlib.AsyncExitStack() as stack:

        async def start(**options: Any) -> Server:
            options = {"token": TOKEN, "heartbeat": 10.0, **options}
            simulator = Simulator(**options)
            serving = await stack.enter_async_context(simulator.serve("127.0.0.1", 0))
            return Server(simulator, serving)

        yield start


@pytest.fixture(scope="session")
def sample_matches() -> list[Match]:
    """Recorded matches of a few dozen ids, generated once for the whole session."""
    schedule = Schedule()
    ids = [uuid.uuid5(NAMESPACE, f"match-{number}") for number in range(24)]
    return [schedule.match(fixture_id, 1.0) for fixture_id in ids]


def live_fixture(kickoff_in: float, pace: float) -> tuple[uuid.UUID, Schedule, Match]:
    """A fixture kicking off ``kickoff_in`` seconds from now, scheduled at ``pace``."""
    fixture_id = uuid.uuid4()
    kickoff = dt.datetime.now(dt.UTC) + dt.timedelta(seconds=kickoff_in)
    schedule = Schedule()
    schedule.add(fixture_id, kickoff=kickoff)
    return fixture_id, schedule, generate_match(fixture_id, kickoff, pace)
