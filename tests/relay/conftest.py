"""Relay test helpers: a real relay process on a free loopback port, on the test database.

Small helpers are copied here rather than imported from other test modules (the test
layout is moving); shared fixtures come from tests/conftest.py only.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO

import psycopg
import pytest
from django.conf import settings
from django.db import connections

from streams.models import ApiToken, Scope
from tests.support.processes import ROOT, free_port, wait_for_port, worker_database_url

ACCEPT = "application/vnd.imggaming.dde.api+json;version=1"
HEARTBEAT = 0.5


def server_conninfo(dbname: str) -> str:
    db = connections["default"].settings_dict
    return psycopg.conninfo.make_conninfo(
        dbname=dbname,
        user=db.get("USER") or None,
        password=db.get("PASSWORD") or None,
        host=db.get("HOST") or "127.0.0.1",
        port=str(db.get("PORT") or 5432),
    )


def child_env(**extra: str) -> dict[str, str]:
    """The environment of a product process on the test database and Redis; the channel
    layer prefix is this test process's (tests/settings.py), unless ``extra`` says otherwise."""
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tests.settings",
        "DATABASE_URL": worker_database_url(),
        "REDIS_URL": settings.REDIS_URL,
        "CHANNEL_LAYER_PREFIX": settings.CHANNEL_LAYER_PREFIX,
        "LOG_LEVEL": "WARNING",
        **extra,
    }


@dataclass
class RunningRelay:
    process: subprocess.Popen[bytes]
    port: int
    log: IO[bytes]

    @property
    def ws_url(self) -> str:
        return f"ws://127.0.0.1:{self.port}"

    @property
    def http_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def output(self) -> str:
        self.log.flush()
        self.log.seek(0)
        return self.log.read().decode(errors="replace")


StartRelay = Callable[..., RunningRelay]


def launch_relay(
    log_dir: Path, heartbeat: float = HEARTBEAT, max_clients: int = 5000, **env: str
) -> RunningRelay:
    """`python -m dde_site.processes relay` as the containers run it, on the test database."""
    port = free_port()
    log = (log_dir / f"relay-{port}.log").open("w+b")
    launcher = [
        sys.executable, "-m", "dde_site.processes", "relay", "--port", str(port),
        "--heartbeat", str(heartbeat), "--max-clients", str(max_clients),
    ]  # fmt: skip
    process = subprocess.Popen(
        launcher, cwd=ROOT, env=child_env(**{"LOG_LEVEL": "INFO", **env}), stdout=log, stderr=log
    )
    relay = RunningRelay(process, port, log)
    try:
        wait_for_port(port, process)
    except BaseException:
        stop_relay(relay)
        raise
    return relay


def stop_relay(relay: RunningRelay) -> None:
    relay.process.terminate()
    relay.process.wait(timeout=10)
    # Captured by pytest, and shown when a test failed.
    sys.stdout.write(f"--- relay on port {relay.port} ---\n{relay.output()}\n")
    relay.log.close()


@pytest.fixture(scope="module")
def relay(
    django_db_setup: None, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[RunningRelay]:
    """One relay process for a module's tests (each test's rows are committed, then flushed)."""
    running = launch_relay(tmp_path_factory.mktemp("relay"))
    yield running
    stop_relay(running)


@pytest.fixture
def start_relay(transactional_db: None, tmp_path: Path) -> Iterator[StartRelay]:
    """Start a relay of the test's own (``launch_relay``'s options)."""
    started: list[RunningRelay] = []

    def start(heartbeat: float = HEARTBEAT, max_clients: int = 5000, **env: str) -> RunningRelay:
        started.append(launch_relay(tmp_path, heartbeat, max_clients, **env))
        return started[-1]

    yield start
    for running in started:
        stop_relay(running)


@pytest.fixture
def stream_key(transactional_db: None) -> str:
    _, key = ApiToken.issue("relay tests", [Scope.STREAM])
    return key


@pytest.fixture
def read_key(transactional_db: None) -> str:
    _, key = ApiToken.issue("read only", [Scope.READ])
    return key
