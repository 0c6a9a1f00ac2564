"""The dispatcher and the control verbs against real Postgres locks."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable

import pytest
from django.utils import timezone

from streams.conninfo import database_conninfo
from streams.feed import dispatch
from streams.feed.locks import ProcessLocks, is_followed
from streams.models import Action, Fixture, Packet

pytestmark = pytest.mark.django_db(transaction=True)


def test_only_fixtures_with_an_open_window_are_due(make_fixture: Callable[..., Fixture]) -> None:
    now = timezone.now()
    open_now = make_fixture()
    make_fixture(
        listen_from=now + dt.timedelta(minutes=5), listen_until=now + dt.timedelta(hours=1)
    )
    make_fixture(listen_from=now - dt.timedelta(hours=3), listen_until=now - dt.timedelta(hours=1))
    make_fixture(finished=True)
    make_fixture(stop_requested=True)
    assert dispatch.fixtures_to_start(now) == [open_now.id]


def test_a_followed_fixture_is_not_started_again(make_fixture: Callable[..., Fixture]) -> None:
    fixture = make_fixture()
    locks = ProcessLocks(database_conninfo())
    lease = locks.try_acquire(fixture.id)
    try:
        assert lease is not None
        assert is_followed(fixture.id)
        assert dispatch.fixtures_to_start(timezone.now()) == []
        assert locks.try_acquire(fixture.id) is None  # not even by the same process
    finally:
        locks.close()
    assert dispatch.fixtures_to_start(timezone.now()) == [fixture.id]


def test_a_rejected_token_holds_the_fixture_back_until_its_retry_time(
    make_fixture: Callable[..., Fixture],
) -> None:
    now = timezone.now()
    make_fixture(retry_not_before=now + dt.timedelta(minutes=1))
    assert dispatch.fixtures_to_start(now) == []
    assert len(dispatch.fixtures_to_start(now + dt.timedelta(minutes=2))) == 1


def test_dispatch_due_enqueues_each_fixture_that_needs_a_listener(
    make_fixture: Callable[..., Fixture],
) -> None:
    fixtures = {make_fixture().id, make_fixture().id}
    enqueued: list[uuid.UUID] = []
    dispatch.dispatch_due(enqueue=enqueued.append)
    assert set(enqueued) == fixtures


def test_start_now_opens_a_closed_window_and_enqueues(make_fixture: Callable[..., Fixture]) -> None:
    now = timezone.now()
    fixture = make_fixture(
        listen_from=now - dt.timedelta(hours=5),
        listen_until=now - dt.timedelta(hours=1),
        stop_requested=True,
    )
    enqueued: list[uuid.UUID] = []
    dispatch.start_now(fixture.id, enqueue=enqueued.append)
    fixture.refresh_from_db()
    assert fixture.listen_until > now and not fixture.stop_requested
    assert enqueued == [fixture.id]
    assert dispatch.fixtures_to_start(timezone.now()) == [fixture.id]


def test_reset_forgets_what_was_stored(make_fixture: Callable[..., Fixture]) -> None:
    fixture = make_fixture(home_score=2, finished=True, last_position=0)
    action_id = uuid.uuid4()
    Packet.objects.create(
        fixture=fixture, position=0, payload={}, action_id=action_id, received_at=timezone.now()
    )
    Action.objects.create(
        fixture=fixture,
        action_id=action_id,
        send_type="Confirmed",
        first_position=0,
        last_position=0,
    )
    dispatch.reset_fixture(fixture.id)
    fixture.refresh_from_db()
    assert (fixture.home_score, fixture.finished, fixture.packet_count) == (0, False, 0)
    assert not Packet.objects.filter(fixture=fixture).exists()
    assert not Action.objects.filter(fixture=fixture).exists()
