"""The feed's state in every fixture payload, and pushed to viewers: a ``feed`` message on
every listener state written, a ``reset`` when the log is wiped for a replay."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from asgiref.sync import sync_to_async
from django.utils import timezone

from streams.feed import dispatch, lifecycle
from streams.meaning.freshness import FeedState, feed_state, stale_after_seconds
from streams.models import Fixture, ListenerState
from tests.viewers.test_consumers import Match, connect, receive

NOW = dt.datetime(2026, 5, 1, 15, 0, tzinfo=dt.UTC)


def state(listener_state: str, age: float | None, *, finished: bool = False) -> FeedState:
    last = None if age is None else NOW - dt.timedelta(seconds=age)
    return feed_state(listener_state, last, finished=finished, now=NOW, watchdog_seconds=18)


def test_the_listener_state_means_one_feed_state() -> None:
    assert state("listening", 1) is FeedState.FOLLOWING
    assert state("listening", None) is FeedState.FOLLOWING
    assert state("reconnecting", 30) is FeedState.RECONNECTING
    assert state("auth_rejected", 5) is FeedState.TOKEN_REJECTED
    assert state("stopped", 5) is FeedState.STOPPED
    assert state("failed", 5) is FeedState.STOPPED
    assert state("finished", 5) is FeedState.FINISHED
    assert state("listening", 1, finished=True) is FeedState.FINISHED
    assert state("idle", None) is FeedState.IDLE
    assert state("connecting", None) is FeedState.IDLE
    assert state("connecting", 3) is FeedState.RECONNECTING


def test_stale_is_a_following_feed_silent_for_longer_than_the_watchdog_allows() -> None:
    limit = stale_after_seconds(18)
    assert limit >= 18
    assert state("listening", limit - 0.5) is FeedState.FOLLOWING
    assert state("listening", limit + 0.5) is FeedState.STALE
    assert state("stopped", limit + 100) is FeedState.STOPPED  # stopped says more than stale


@pytest.mark.django_db
def test_every_payload_carries_the_feed_decided_when_read(
    make_fixture: Callable[..., Fixture], settings: Any
) -> None:
    settings.DDE_WATCHDOG_SECONDS = 10
    fixture = make_fixture(listener_state=ListenerState.LISTENING, last_frame_at=timezone.now())
    feed = fixture.to_payload()["feed"]
    assert feed["state"] == "following"
    assert feed["last_frame_at"] == fixture.last_frame_at.isoformat()
    assert feed["stale_after_seconds"] == stale_after_seconds(10)
    fixture.last_frame_at = timezone.now() - dt.timedelta(seconds=60)
    assert fixture.to_payload()["feed"]["state"] == "stale"  # nothing stored changed


@pytest.fixture
async def match(make_fixture: Callable[..., Fixture]) -> Match:
    return Match(await sync_to_async(make_fixture)())


async def next_of_type(viewer: Any, kind: str) -> dict[str, Any]:
    while True:
        message = await receive(viewer)
        if message["type"] == kind:
            return message


@pytest.mark.django_db(transaction=True)
@pytest.mark.asyncio
async def test_each_listener_state_written_reaches_the_viewers_and_the_scoreboard(
    match: Match,
) -> None:
    fixture_id = match.fixture.id
    viewer = connect(f"/ws/fixtures/{fixture_id}/")
    board = connect("/ws/fixtures/")
    assert (await viewer.connect())[0] and (await board.connect())[0]
    assert (await receive(viewer))["type"] == "snapshot"
    assert (await receive(board))["type"] == "scoreboard"
    writes: list[tuple[Callable[..., Any], tuple[Any, ...], str]] = [
        (lifecycle.record_connected, (), "following"),
        (lifecycle.record_disconnected, ("gone",), "reconnecting"),
        (lifecycle.record_auth_rejected, ("no", 60.0), "token_rejected"),
        (lifecycle.record_stopped, (ListenerState.STOPPED, ""), "stopped"),
        (lifecycle.record_stopped, (ListenerState.FINISHED, ""), "finished"),
    ]
    for write, args, expected in writes:
        await sync_to_async(write)(fixture_id, *args)
        for communicator in (viewer, board):
            message = await next_of_type(communicator, "feed")
            assert message["fixture_id"] == str(fixture_id)
            assert message["feed"]["state"] == expected, write.__name__
            assert "position" not in message
    await viewer.disconnect()
    await board.disconnect()


@pytest.mark.django_db(transaction=True)
@pytest.mark.asyncio
async def test_a_wiped_log_resets_open_viewers_who_start_again_from_the_new_log(
    match: Match,
) -> None:
    await sync_to_async(match.store)(5)
    viewer = connect(f"/ws/fixtures/{match.fixture.id}/")
    assert (await viewer.connect())[0]
    assert (await receive(viewer))["position"] == 4

    await sync_to_async(dispatch.reset_fixture)(match.fixture.id)
    reset = await next_of_type(viewer, "reset")
    assert reset == {"type": "reset", "fixture_id": str(match.fixture.id)}
    snapshot = await next_of_type(viewer, "snapshot")
    assert snapshot["position"] == -1 and snapshot["actions"] == []

    # The new log's positions start at 0 again and reach the viewer in order.
    fresh = Match(match.fixture)
    await sync_to_async(fresh.store)(2)
    changes = [await next_of_type(viewer, "change"), await next_of_type(viewer, "change")]
    assert [c["position"] for c in changes] == [0, 1]
    assert changes[-1]["fixture"]["feed"]["state"] == "following"
    await viewer.disconnect()
