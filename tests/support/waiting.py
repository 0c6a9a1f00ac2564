"""Waiting for a condition instead of sleeping for a guessed time."""

from __future__ import annotations

import time
from collections.abc import Callable


def wait_for(
    condition: Callable[[], object],
    timeout: float = 30.0,
    every: float = 0.05,
    what: str | Callable[[], str] = "",
) -> None:
    """Return as soon as ``condition()`` is true; fail the test after ``timeout`` seconds,
    saying ``what`` was awaited (a callable is asked at the time, to show the state then)."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            said = what() if callable(what) else what
            raise AssertionError(f"not met in {timeout:g} s: {said or 'condition'}")
        time.sleep(every)
