"""A real listener (`manage.py listen`) for one fixture, as a benchmark starts and stops it."""

from __future__ import annotations

import contextlib
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

from _processes import stop_process

from streams.feed.dispatch import request_stop
from streams.models import Fixture

ROOT = Path(__file__).resolve().parents[1]


@contextlib.contextmanager
def listening(
    fixture_id: uuid.UUID, env: dict[str, str], log: Path
) -> Iterator[subprocess.Popen[bytes]]:
    """``manage.py listen`` for ``fixture_id`` with ``env``, its output in ``log``; at the
    end it is asked to stop (it checks between frames), then terminated if it has not."""
    with log.open("wb") as out:
        process = subprocess.Popen(
            [sys.executable, "manage.py", "listen", str(fixture_id)],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
        try:
            yield process
        finally:
            request_stop(fixture_id)
            with contextlib.suppress(subprocess.TimeoutExpired):
                process.wait(timeout=5)
            stop_process(process)


def wait_until_listening(
    fixture_id: uuid.UUID, process: subprocess.Popen[bytes], timeout: float
) -> None:
    """Until the listener has stored a packet and says it is listening."""
    deadline = time.monotonic() + timeout
    while True:
        fixture = Fixture.objects.get(pk=fixture_id)
        if fixture.last_position is not None and fixture.listener_state == "listening":
            return
        if process.poll() is not None or time.monotonic() > deadline:
            raise RuntimeError(f"the listener did not start (state {fixture.listener_state})")
        time.sleep(0.2)
