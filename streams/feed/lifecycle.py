"""A listener's life as its fixture row records it: every write of the ``listener_*``
columns (state, error, epoch), ``reconnects`` and ``retry_not_before`` is here.

The listener calls these on its store thread; the dispatcher calls ``clear_retry`` and
``forget_listener`` when staff start or replay a fixture. Every write of a new listener
state is told to viewers (a ``feed`` message, docs/live-protocol.md) once it is written.
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass

from django.db import transaction
from django.db.models import F, QuerySet
from django.utils import timezone

from streams.models import Fixture, ListenerState
from streams.viewers import broadcast


@dataclass(frozen=True)
class Start:
    next_position: int
    finished: bool
    feed: str
    speed: str
    epoch: int


@dataclass(frozen=True)
class Check:
    stop_requested: bool
    window_closed: bool
    taken_over: bool


def _fixture(fixture_id: uuid.UUID) -> QuerySet[Fixture]:
    return Fixture.objects.filter(pk=fixture_id)


def _tell_viewers(fixture_id: uuid.UUID) -> None:
    """Publish the feed's state as now stored (autocommit: the write is committed; inside
    a transaction, once it commits)."""

    def publish() -> None:
        fixture = _fixture(fixture_id).only(*FEED_STATE_FIELDS).first()
        if fixture is not None:
            broadcast.publish_feed_state(fixture_id, fixture.feed_payload())

    transaction.on_commit(publish)


# What a fixture's feed state is derived from (``Fixture.feed_state``).
FEED_STATE_FIELDS = ("id", "listener_state", "last_frame_at", "finished")


def start_listening(fixture_id: uuid.UUID) -> Start:
    """Mark the fixture as being connected and take a new fencing epoch for this listener."""
    _fixture(fixture_id).update(
        listener_state=ListenerState.CONNECTING,
        listener_error="",
        retry_not_before=None,
        listener_epoch=F("listener_epoch") + 1,
    )
    _tell_viewers(fixture_id)
    fixture = Fixture.objects.get(pk=fixture_id)
    return Start(
        fixture.packet_count, fixture.finished, fixture.feed, fixture.speed, fixture.listener_epoch
    )


def record_connected(fixture_id: uuid.UUID) -> None:
    _fixture(fixture_id).update(listener_state=ListenerState.LISTENING, listener_error="")
    _tell_viewers(fixture_id)


def record_disconnected(fixture_id: uuid.UUID, reason: str) -> None:
    _fixture(fixture_id).update(
        listener_state=ListenerState.RECONNECTING,
        listener_error=reason,
        reconnects=F("reconnects") + 1,
    )
    _tell_viewers(fixture_id)


def record_auth_rejected(fixture_id: uuid.UUID, message: str, retry_in: float) -> None:
    _fixture(fixture_id).update(
        listener_state=ListenerState.AUTH_REJECTED,
        listener_error=f"The feed rejected the token: {message}",
        retry_not_before=timezone.now() + dt.timedelta(seconds=retry_in),
    )
    _tell_viewers(fixture_id)


def check(fixture_id: uuid.UUID, last_frame_at: dt.datetime | None, epoch: int) -> Check:
    """Note the last frame time and read the stop flag, the listen window, and whether a
    later listener (a later epoch) has taken the fixture over."""
    fixtures = _fixture(fixture_id)
    if last_frame_at is not None:
        # Only while still ours: a listener that was taken over must not write at all.
        fixtures.filter(listener_epoch=epoch).update(last_frame_at=last_frame_at)
    stop_requested, listen_until, current_epoch = fixtures.values_list(
        "stop_requested", "listen_until", "listener_epoch"
    ).get()
    return Check(stop_requested, listen_until <= timezone.now(), current_epoch != epoch)


def record_stopped(fixture_id: uuid.UUID, state: ListenerState, error: str) -> None:
    _fixture(fixture_id).update(listener_state=state, listener_error=error)
    _tell_viewers(fixture_id)


def clear_retry(fixture_id: uuid.UUID) -> None:
    """Let the next dispatcher tick start a listener even if the token was just rejected."""
    _fixture(fixture_id).update(retry_not_before=None)


def forget_listener(fixture_id: uuid.UUID) -> None:
    """Back to the state of a fixture nobody has followed yet (the epoch keeps counting,
    so a listener from before can never write again)."""
    _fixture(fixture_id).update(
        listener_state=ListenerState.IDLE,
        listener_error="",
        last_frame_at=None,
        reconnects=0,
        retry_not_before=None,
    )
    _tell_viewers(fixture_id)
