"""Fixtures for the tests that run real listener workers."""

from __future__ import annotations

import os
import signal
import subprocess
import uuid
from collections.abc import Callable, Iterator

import pytest
from django.conf import settings as django_settings

from dde_site import processes
from dde_site.celery import app as celery_app
from tests.support.processes import ROOT, worker_database_url


@pytest.fixture
def start_worker() -> Iterator[Callable[..., subprocess.Popen[bytes]]]:
    """Start `celery worker` processes as `make run` does, on the test database."""
    workers: list[subprocess.Popen[bytes]] = []
    celery_app.control.purge()

    def start(*, concurrency: int = 20) -> subprocess.Popen[bytes]:
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "tests.settings",
            "DATABASE_URL": worker_database_url(),
            "REDIS_URL": django_settings.REDIS_URL,
            "DDE_STREAMS_URL": django_settings.DDE_STREAMS_URL,
            "DDE_API_URL": django_settings.DDE_API_URL,
            "DDE_AUTH_TOKEN": django_settings.DDE_AUTH_TOKEN,
            "DDE_WATCHDOG_SECONDS": str(django_settings.DDE_WATCHDOG_SECONDS),
        }
        name = f"listeners-{len(workers)}-{uuid.uuid4().hex[:6]}@%h"
        options = ["--concurrency", str(concurrency), "--name", name, "--loglevel", "WARNING"]
        worker = subprocess.Popen(processes.command(["worker", *options]), cwd=ROOT, env=env)
        workers.append(worker)
        return worker

    yield start
    for worker in workers:
        if worker.poll() is None:
            worker.send_signal(signal.SIGKILL)
        worker.wait(timeout=10)
