"""What a test needs to start a real process of the product: where the repository is, a
free loopback port, and the URL of the test database for the child's DATABASE_URL."""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
from django.conf import settings
from django.db import connections

from dde_site import processes

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_for_port(port: int, process: subprocess.Popen[bytes], timeout: float = 30) -> None:
    """Return once ``process`` accepts connections on ``port``; fail if it exits first."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            return
        except OSError:
            if process.poll() is not None:
                raise AssertionError(f"{process.args!r} exited with {process.returncode}") from None
            if time.monotonic() > deadline:
                raise
            time.sleep(0.05)


def worker_database_url(name: str | None = None) -> str:
    """The test database (not the configured one), or another database on its server, as a
    URL for a worker, the web process or beat."""
    db = connections["default"].settings_dict
    auth = db["USER"] + (f":{db['PASSWORD']}" if db.get("PASSWORD") else "")
    host = f"{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}"
    return f"postgres://{auth}@{host}/{name or db['NAME']}"


def start_up_of_web(env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    """`python -m dde_site.processes web` run with ``env`` until it exits, as a
    misconfigured one does at once: its exit code and what it printed."""
    argv = [sys.executable, "-m", "dde_site.processes", "web"]
    return subprocess.run(argv, cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)


@contextlib.contextmanager
def web_process(
    port: int | None = None, **env: str
) -> Iterator[tuple[str, subprocess.Popen[bytes]]]:
    """The web process as deployed (`python -m dde_site.processes web`, as `make run` starts
    it) on ``port`` (else a free one), on the test database and Redis, until the block ends
    (SIGTERM, as a supervisor stops it): its base URL and the process. ``env``: more of its
    environment."""
    port = port or free_port()
    process = subprocess.Popen(
        processes.command(["web", "--port", str(port)]),
        cwd=ROOT,
        env={
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "tests.settings",
            "DATABASE_URL": worker_database_url(),
            "REDIS_URL": settings.REDIS_URL,
            "API_THROTTLE_RATE": "100000/min",
            "LOG_LEVEL": "WARNING",
            **env,
        },
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                httpx.get(f"http://127.0.0.1:{port}/api/schema/", timeout=1)
                break
            except httpx.TransportError:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise
                time.sleep(0.1)
        yield f"http://127.0.0.1:{port}", process
    finally:
        process.terminate()
        process.wait(timeout=15)


@contextlib.contextmanager
def started_web(port: int | None = None, **env: str) -> Iterator[str]:
    """``web_process``'s base URL alone."""
    with web_process(port, **env) as (url, _):
        yield url
