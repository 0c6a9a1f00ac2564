"""/healthz: every part named, 200 when all is well, 503 naming what failed; /livez: 200
whenever the process answers."""

from __future__ import annotations

import datetime as dt
import io
import json
import uuid
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest
import redis
from django.conf import settings as django_settings
from django.core.management import CommandError, call_command
from django.test import Client
from django.utils import timezone

from streams.conninfo import database_conninfo
from streams.feed.locks import ProcessLocks
from streams.models import Fixture
from streams.ops import health
from tests.ops.conftest import StartWeb, dead_port

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def beat_ticked() -> Iterator[None]:
    health.record_beat_tick()
    yield
    redis.Redis.from_url(django_settings.REDIS_URL).delete(health.beat_tick_key())


@pytest.fixture
def locks() -> Iterator[ProcessLocks]:
    """A lock holder like a worker's: a fixture it takes counts as followed."""
    holder = ProcessLocks(database_conninfo())
    yield holder
    holder.close()


def get_healthz() -> tuple[int, dict[str, Any]]:
    response = Client().get("/healthz")
    return response.status_code, response.json()


def test_healthz_is_200_and_names_every_part_when_all_is_well(
    beat_ticked: None, make_fixture: Callable[..., Fixture], locks: ProcessLocks
) -> None:
    fixture = make_fixture(last_frame_at=timezone.now())
    assert locks.try_acquire(fixture.id) is not None
    status, body = get_healthz()
    assert status == 200
    assert body["status"] == "ok"
    assert body["failing"] == []
    assert set(body["checks"]) == {
        "database",
        "redis",
        "channel_layer",
        "beat",
        "listeners",
        "webhooks",
    }
    assert all(part["ok"] for part in body["checks"].values())
    assert body["checks"]["beat"]["seconds_ago"] < 5
    (live,) = body["checks"]["listeners"]["live"]
    assert live["fixture"] == str(fixture.id)
    assert 0 <= live["seconds_since_last_frame"] < 5


def test_beat_that_never_ticked_is_named(db: None) -> None:
    redis.Redis.from_url(django_settings.REDIS_URL).delete(health.beat_tick_key())
    status, body = get_healthz()
    assert status == 503
    assert body["failing"] == ["beat"]
    assert body["checks"]["beat"]["error"] == "beat has never ticked"


def test_a_beat_tick_older_than_three_intervals_is_named(beat_ticked: None, settings: Any) -> None:
    settings.DISPATCH_INTERVAL_SECONDS = 5
    health.record_beat_tick(timezone.now() - dt.timedelta(seconds=20))
    status, body = get_healthz()
    assert (status, body["failing"]) == (503, ["beat"])
    assert body["checks"]["beat"]["seconds_ago"] >= 20


def test_a_due_fixture_nobody_follows_is_named_with_its_listener_state(
    beat_ticked: None, make_fixture: Callable[..., Fixture]
) -> None:
    fixture = make_fixture(listener_state="auth_rejected")
    status, body = get_healthz()
    assert (status, body["failing"]) == (503, ["listeners"])
    assert body["checks"]["listeners"]["unfollowed"] == [
        {"fixture": str(fixture.id), "listener_state": "auth_rejected"}
    ]


def test_a_fixture_whose_window_just_opened_waits_for_the_next_tick(
    beat_ticked: None, make_fixture: Callable[..., Fixture]
) -> None:
    make_fixture(listen_from=timezone.now())
    status, body = get_healthz()
    assert (status, body["checks"]["listeners"]["unfollowed"]) == (200, [])


def test_a_followed_fixture_silent_for_two_watchdogs_is_named(
    beat_ticked: None, make_fixture: Callable[..., Fixture], locks: ProcessLocks, settings: Any
) -> None:
    settings.DDE_WATCHDOG_SECONDS = 10
    silent = make_fixture(last_frame_at=timezone.now() - dt.timedelta(seconds=30))
    talking = make_fixture(last_frame_at=timezone.now())
    for fixture in (silent, talking):
        assert locks.try_acquire(fixture.id) is not None
    status, body = get_healthz()
    assert (status, body["failing"]) == (503, ["listeners"])
    assert body["checks"]["listeners"]["silent"] == [str(silent.id)]
    live = body["checks"]["listeners"]["live"]
    ages = {f["fixture"]: f["seconds_since_last_frame"] for f in live}
    assert ages[str(silent.id)] >= 30
    assert ages[str(talking.id)] < 5


def test_a_dead_redis_names_redis_and_the_channel_layer_and_skips_beat(
    beat_ticked: None, settings: Any
) -> None:
    dead = f"redis://127.0.0.1:{dead_port()}/0"
    settings.REDIS_URL = dead
    layer = settings.CHANNEL_LAYERS["default"]
    host = {**layer["CONFIG"]["hosts"][0], "address": dead}
    settings.CHANNEL_LAYERS = {"default": {**layer, "CONFIG": {**layer["CONFIG"], "hosts": [host]}}}
    status, body = get_healthz()
    assert (status, body["failing"]) == (503, ["redis", "channel_layer"])
    assert body["checks"]["beat"]["ok"] is None
    assert body["checks"]["redis"]["error"] == "not reachable (ConnectionError)"


def test_livez_reads_neither_postgres_nor_redis(
    settings: Any, django_assert_num_queries: Any
) -> None:
    settings.REDIS_URL = f"redis://127.0.0.1:{dead_port()}/0"
    with django_assert_num_queries(0):
        response = Client().get("/livez")
    assert (response.status_code, response.json()) == (200, {"status": "ok"})
    assert Client().post("/livez").status_code == 405


@pytest.mark.slow  # a real web process
def test_a_dead_database_is_named_by_the_web_process_without_leaking_the_url_and_livez_is_200(
    beat_ticked: None, start_web: StartWeb
) -> None:
    password = f"secret-{uuid.uuid4().hex}"
    base = start_web(
        DATABASE_URL=f"postgres://postgres:{password}@127.0.0.1:{dead_port()}/nowhere",
        DDE_AUTH_TOKEN=f"token-{password}",
    )
    response = httpx.get(f"{base}/healthz", timeout=10)
    assert response.status_code == 503
    body = response.json()
    assert body["failing"] == ["database"]
    assert body["checks"]["listeners"]["ok"] is None
    assert body["checks"]["beat"]["ok"] is True  # Redis still answers
    assert password not in response.text
    assert response.headers["Cache-Control"].startswith("max-age=0")
    # What a balancer checks: the process answers, whatever Postgres does.
    alive = httpx.get(f"{base}/livez", timeout=10)
    assert (alive.status_code, alive.json()) == (200, {"status": "ok"})
    assert alive.headers["Cache-Control"].startswith("max-age=0")


@pytest.mark.slow  # a real web process
def test_healthz_from_the_web_process_answers_quickly_when_healthy(
    beat_ticked: None, start_web: StartWeb
) -> None:
    base = start_web()
    response = httpx.get(f"{base}/healthz", timeout=10)
    assert response.status_code == 200, response.text
    assert response.elapsed.total_seconds() < 2


def test_the_health_command_fails_only_on_the_parts_it_is_asked_about(
    make_fixture: Callable[..., Fixture],
) -> None:
    # The beat container's health check is `manage.py health beat`.
    redis.Redis.from_url(django_settings.REDIS_URL).delete(health.beat_tick_key())
    with pytest.raises(CommandError, match=r"^Failing: beat\.$"):
        call_command("health", "beat", stdout=io.StringIO())
    call_command("health", "database", "redis", stdout=io.StringIO())
    health.record_beat_tick()
    out = io.StringIO()
    call_command("health", "beat", stdout=out)
    assert json.loads(out.getvalue())["checks"]["beat"]["ok"] is True
    with pytest.raises(CommandError, match="No part named web"):
        call_command("health", "web")
