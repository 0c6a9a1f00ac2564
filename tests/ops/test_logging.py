"""Logs: one JSON object per line when DEBUG is off, readable lines in development, and
every listener line placed by fixture and position, never with the token."""

from __future__ import annotations

import json
import os
import secrets
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from django.conf import settings

from streams.models import Fixture
from tests.conftest import TOKEN, StartFeed
from tests.support.processes import worker_database_url

ROOT = Path(__file__).resolve().parents[2]

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]


def listen(fixture: Fixture, **env: str) -> str:
    """`manage.py listen` in its own process, as an operator runs it; its whole output."""
    environment = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tests.settings",
        "DATABASE_URL": worker_database_url(),
        "REDIS_URL": settings.REDIS_URL,
        "DDE_STREAMS_URL": settings.DDE_STREAMS_URL,
        "DDE_API_URL": settings.DDE_API_URL,
        "DDE_AUTH_TOKEN": settings.DDE_AUTH_TOKEN,
        "LOG_LEVEL": "DEBUG",
        **env,
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "listen", str(fixture.id), "--speed", "fast"],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    return result.stderr


def test_with_debug_off_every_line_is_json_and_listener_lines_carry_fixture_and_position(
    start_feed: StartFeed, make_fixture: Callable[..., Fixture]
) -> None:
    start_feed(faults="drop=300,malformed=250")
    fixture = make_fixture()
    output = listen(fixture, DEBUG="false", SECRET_KEY=secrets.token_urlsafe(50))
    lines = [json.loads(line) for line in output.splitlines() if line.strip()]
    listener_lines = [line for line in lines if line["logger"].startswith("streams.feed.listener")]
    events = {line["event"] for line in listener_lines}
    assert {
        "listener.started",
        "dde.connecting",
        "dde.authorised",
        "dde.disconnected",
        "listener.frame_rejected",
        "listener.stored",
        "listener.finished",
        "listener.stopped",
    } <= events
    for line in listener_lines:
        assert line["fixture"] == str(fixture.id), line
        assert isinstance(line["position"], int), line
        assert {"timestamp", "level"} <= set(line)
    assert TOKEN not in output


def test_in_development_lines_are_readable_text_with_the_same_fields(
    start_feed: StartFeed, make_fixture: Callable[..., Fixture]
) -> None:
    start_feed()
    fixture = make_fixture()
    output = listen(fixture, DEBUG="true")
    started = [line for line in output.splitlines() if "listener.started" in line]
    assert len(started) == 1
    assert not started[0].startswith("{")
    assert f"fixture={fixture.id}" in started[0]
    assert "position=0" in started[0]
    assert TOKEN not in output
