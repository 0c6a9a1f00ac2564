"""/metrics gauges for alerting: per live fixture feed age and broadcast lag, unfollowed
fixtures, listener states, beat, reconciliation statuses."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from typing import Any

import pytest
import redis
from django.conf import settings as django_settings
from django.test import Client
from django.utils import timezone
from prometheus_client.parser import text_string_to_metric_families

from streams.conninfo import database_conninfo
from streams.feed.locks import ProcessLocks
from streams.models import Fixture, ListenerState, Reconciliation
from streams.ops import health, metrics

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("clean_metrics")]
TOKEN = "gauges-test-token"


@pytest.fixture
def locks() -> Iterator[ProcessLocks]:
    holder = ProcessLocks(database_conninfo())
    yield holder
    holder.close()


def scrape(settings: Any) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    settings.METRICS_TOKEN = TOKEN
    response = Client().get("/metrics", headers={"Authorization": f"Bearer {TOKEN}"})
    assert response.status_code == 200
    return {
        (s.name, tuple(sorted(s.labels.items()))): s.value
        for family in text_string_to_metric_families(response.content.decode())
        for s in family.samples
    }


def test_followed_fixtures_have_feed_age_and_broadcast_lag_and_others_none(
    make_fixture: Callable[..., Fixture], locks: ProcessLocks, settings: Any
) -> None:
    now = timezone.now()
    live = make_fixture(last_frame_at=now - dt.timedelta(seconds=40))
    assert locks.try_acquire(live.id) is not None
    unfollowed = make_fixture(
        listen_from=now - dt.timedelta(minutes=5), listener_state=ListenerState.AUTH_REJECTED
    )
    finished = make_fixture(finished=True)
    for fixture in (live, unfollowed, finished):
        metrics.fixture_broadcast_lag(str(fixture.id), 0.25)
    metrics.flush()
    samples = scrape(settings)
    ages = {k[1]: v for k, v in samples.items() if k[0] == "dde_fixture_feed_age_seconds"}
    assert list(ages) == [(("fixture", str(live.id)),)]
    assert 40 <= ages[(("fixture", str(live.id)),)] < 60
    lags = {k[1]: v for k, v in samples.items() if k[0] == "dde_fixture_broadcast_lag_seconds"}
    assert lags == {(("fixture", str(live.id)),): 0.25}
    assert samples[("dde_unfollowed_fixtures", ())] == 1
    assert samples[("dde_due_fixtures", (("state", "auth_rejected"),))] == 1
    assert samples[("dde_due_fixtures", (("state", "idle"),))] == 1  # the followed one


def test_beat_age_and_reconciliation_statuses(
    make_fixture: Callable[..., Fixture], settings: Any
) -> None:
    client = redis.Redis.from_url(django_settings.REDIS_URL)
    client.delete(health.beat_tick_key())  # other tests may have ticked
    assert ("dde_beat_last_tick_age_seconds", ()) not in scrape(settings)
    health.record_beat_tick(timezone.now() - dt.timedelta(seconds=12))
    try:
        first, second = make_fixture(), make_fixture()
        at = timezone.now()
        for fixture, status, when in (
            (first, "mismatch", at - dt.timedelta(minutes=5)),
            (first, "equal", at),  # the latest one counts
            (second, "mismatch", at),
        ):
            Reconciliation.objects.create(
                fixture=fixture, checked_at=when, trigger="admin", status=status
            )
        samples = scrape(settings)
        assert 12 <= samples[("dde_beat_last_tick_age_seconds", ())] < 30
        statuses = {
            dict(k[1])["status"]: v
            for k, v in samples.items()
            if k[0] == "dde_reconciliation_fixtures"
        }
        assert statuses == {"equal": 1, "mismatch": 1, "repaired": 0, "error": 0}
    finally:
        client.delete(health.beat_tick_key())
