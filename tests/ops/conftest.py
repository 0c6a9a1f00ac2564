"""Ops test helpers: the real web process as the containers start it, clean metric keys."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import redis
from django.conf import settings

from streams.ops import metrics
from tests.support.processes import free_port, worker_database_url

ROOT = Path(__file__).resolve().parents[2]
METRICS_TOKEN = "metrics-token-for-the-tests-only"

StartWeb = Callable[..., str]


@pytest.fixture
def clean_metrics() -> Iterator[None]:
    """No metric totals or pending increments left over from other tests."""

    def wipe() -> None:
        metrics.reset()
        client = redis.Redis.from_url(settings.REDIS_URL)
        for key in client.scan_iter(match=f"{metrics.key_prefix()}:*"):
            client.delete(key)

    wipe()
    yield
    wipe()


@pytest.fixture
def start_web(transactional_db: None) -> Iterator[StartWeb]:
    """Start `python -m dde_site.processes web` on the test database; keyword arguments
    are extra environment. Returns its base URL."""
    started: list[subprocess.Popen[bytes]] = []

    def start(**env: str) -> str:
        port = free_port()
        environment = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "tests.settings",
            "DATABASE_URL": worker_database_url(),
            "REDIS_URL": settings.REDIS_URL,
            "METRICS_TOKEN": METRICS_TOKEN,
            "API_THROTTLE_RATE": "100000/min",
            "LOG_LEVEL": "WARNING",
            **env,
        }
        # Through the launcher, exactly as the web container's command runs it.
        launcher = [sys.executable, "-m", "dde_site.processes", "web", "--port", str(port)]
        process = subprocess.Popen(launcher, cwd=ROOT, env=environment)
        started.append(process)
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 30
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
                return base
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise
                time.sleep(0.1)

    yield start
    for process in started:
        process.terminate()
        process.wait(timeout=10)


def dead_port() -> int:
    """A loopback port nothing listens on."""
    return free_port()
