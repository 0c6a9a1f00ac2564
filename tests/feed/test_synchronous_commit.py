"""DDE_SYNCHRONOUS_COMMIT: how a packet transaction commits before viewers are told of it.

With a standby that may be promoted, viewers must never be told of a commit that a failover
can lose (issue #18, docs/reliability.md); the setting must reach the writer's transaction,
and a value Postgres would not take must stop start-up rather than every write.
"""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from collections.abc import Callable

import pytest
from django.db import connection, transaction
from django.test import override_settings

from streams.feed.writer import FixtureWriter
from streams.models import Fixture
from tests.conftest import arrived
from tests.support.packets import Feed
from tests.support.processes import ROOT, start_up_of_web

LEVELS = ["off", "local", "remote_write", "on", "remote_apply"]


def _level_inside_the_writers_transaction(fixture: Fixture) -> str:
    """Store a packet inside an outer transaction and ask Postgres, before it commits, how
    this transaction will commit (the statement's setting is local to its transaction)."""
    with transaction.atomic():
        FixtureWriter(fixture.id).store(
            arrived([Feed(fixture.id).packet(str(uuid.uuid4()), "Confirmed", 103, "Corner")])
        )
        with connection.cursor() as cursor:
            cursor.execute("SHOW synchronous_commit")
            (level,) = cursor.fetchone()
    return str(level)


@pytest.mark.django_db
@pytest.mark.parametrize("level", LEVELS)
def test_the_setting_reaches_the_writers_transaction(
    make_fixture: Callable[..., Fixture], level: str
) -> None:
    with override_settings(DDE_SYNCHRONOUS_COMMIT=level):
        assert _level_inside_the_writers_transaction(make_fixture()) == level


@pytest.mark.django_db(transaction=True)
def test_the_level_is_the_writers_transaction_s_own(make_fixture: Callable[..., Fixture]) -> None:
    # set_config(..., true): the session's later transactions keep the server's level.
    with connection.cursor() as cursor:
        cursor.execute("SHOW synchronous_commit")
        (before,) = cursor.fetchone()
    other = "remote_apply" if before != "remote_apply" else "off"
    with override_settings(DDE_SYNCHRONOUS_COMMIT=other):
        assert _level_inside_the_writers_transaction(make_fixture()) == other
    with connection.cursor() as cursor:
        cursor.execute("SHOW synchronous_commit")
        assert cursor.fetchone() == (before,)


def test_by_default_packets_commit_asynchronously_as_on_one_host() -> None:
    done = _settings_in_a_fresh_process({})
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "off"


def test_the_value_is_read_without_regard_to_case_or_spaces() -> None:
    done = _settings_in_a_fresh_process({"DDE_SYNCHRONOUS_COMMIT": " Remote_Write "})
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "remote_write"


@pytest.mark.parametrize("bad", ["sometimes", "true", ""])
def test_a_bad_value_stops_start_up_with_one_sentence(bad: str) -> None:
    env = {**os.environ, "DDE_SYNCHRONOUS_COMMIT": bad}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    done = start_up_of_web(env)
    assert done.returncode != 0
    assert done.stderr.strip().splitlines() == [
        "Configuration error: Set DDE_SYNCHRONOUS_COMMIT to one of off, local, remote_write, "
        f"on, remote_apply (it is {bad!r})."
    ]


def _settings_in_a_fresh_process(extra: dict[str, str]) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "DDE_SYNCHRONOUS_COMMIT"}
    env.update(extra, DJANGO_SETTINGS_MODULE="dde_site.settings")
    return subprocess.run(
        [
            sys.executable,
            "-c",
            "from django.conf import settings; print(settings.DDE_SYNCHRONOUS_COMMIT)",
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
