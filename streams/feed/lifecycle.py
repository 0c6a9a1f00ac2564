"""A listener's life as its fixture row records it: every write of the ``listener_*``
columns (state, error, epoch), ``reconnects`` and ``retry_not_before`` is here.

The listener calls these on its store thread; the dispatcher calls ``clear_retry`` and
``forget_listener`` when staff start or replay a fixture.
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass

from django.db.models import F, QuerySet
from django.utils import timezone

from streams.models import Fixture, ListenerState


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


def start_listening(fixture_id: uuid.UUID) -> Start:
    """Mark the fixture as being connected and take a new fencing epoch for this listener."""
    _fixture(fixture_id).update(
        listener_state=ListenerState.CONNECTING,
        listener_error="",
        retry_not_before=None,
        listener_epoch=F("listener_epoch") + 1,
    )
    fixture = Fixture.objects.get(pk=fixture_id)
    return Start(
        fixture.packet_count, fixture.finished, fixture.feed, fixture.speed, fixture.listener_epoch
    )


def record_connected(fixture_id: uuid.UUID) -> None:
    _fixture(fixture_id).update(listener_state=ListenerState.LISTENING, listener_error="")


def record_disconnected(fixture_id: uuid.UUID, reason: str) -> None:
    _fixture(fixture_id).update(
        listener_state=ListenerState.RECONNECTING,
        listener_error=reason,
        reconnects=F("reconnects") + 1,
    )


def record_auth_rejected(fixture_id: uuid.UUID, message: str, retry_in: float) -> None:
    _fixture(fixture_id).update(
        listener_state=ListenerState.AUTH_REJECTED,
        listener_error=f"The feed rejected the token: {message}",
        retry_not_before=timezone.now() + dt.timedelta(seconds=retry_in),
    )


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
