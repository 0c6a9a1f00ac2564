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
from typing import Any

from django.db import transaction
from django.db.models import F, QuerySet
from django.utils import timezone

from streams.models import Fixture, ListenerState
from streams.viewers import broadcast

# A fixture's feed state as viewers get it (``Fixture.feed_payload``).
Feed = dict[str, Any]


@dataclass(frozen=True)
class Start:
    next_position: int
    finished: bool
    feed: str
    speed: str
    epoch: int
    state: Feed | None = None  # the feed's state now (when not published here)


@dataclass(frozen=True)
class Check:
    stop_requested: bool
    window_closed: bool
    taken_over: bool


def _fixture(fixture_id: uuid.UUID) -> QuerySet[Fixture]:
    return Fixture.objects.filter(pk=fixture_id)


def _owned(fixture_id: uuid.UUID, epoch: int | None) -> QuerySet[Fixture]:
    """The fixture, if the listener of ``epoch`` still owns it: its state writes are fenced
    like its packet writes (``FixtureWriter``). A listener whose lock went with a partition
    and whose fixture another listener took over must not write ``failed`` or
    ``reconnecting`` over its successor's state when the network heals (issue #18). None:
    not a listener's write (no fence), as for the writer."""
    fixtures = _fixture(fixture_id)
    return fixtures if epoch is None else fixtures.filter(listener_epoch=epoch)


def _tell_if_written(written: int, fixture_id: uuid.UUID, publish: bool) -> Feed | None:
    return _tell_viewers(fixture_id, publish) if written else None


def _feed_now(fixture_id: uuid.UUID) -> Feed | None:
    fixture = _fixture(fixture_id).only(*FEED_STATE_FIELDS).first()
    return None if fixture is None else fixture.feed_payload()


def _tell_viewers(fixture_id: uuid.UUID, publish: bool = True) -> Feed | None:
    """The feed's state as now stored (``Fixture.feed_payload``), published to viewers
    when ``publish`` (autocommit: the write is committed; in a transaction, once it
    commits). The listener publishes it itself, on its own event loop and channel layer
    connection (``publish=False``): from its store threads each publish would open one."""
    if not publish:
        return _feed_now(fixture_id)

    def send() -> None:
        feed = _feed_now(fixture_id)
        if feed is not None:
            broadcast.publish_feed_state(fixture_id, feed)

    transaction.on_commit(send)
    return None


# What a fixture's feed state is derived from (``Fixture.feed_state``).
FEED_STATE_FIELDS = ("id", "listener_state", "last_frame_at", "finished")


def start_listening(fixture_id: uuid.UUID, *, publish: bool = True) -> Start:
    """Mark the fixture as being connected and take a new fencing epoch for this listener."""
    _fixture(fixture_id).update(
        listener_state=ListenerState.CONNECTING,
        listener_error="",
        retry_not_before=None,
        listener_epoch=F("listener_epoch") + 1,
    )
    state = _tell_viewers(fixture_id, publish)
    fixture = Fixture.objects.get(pk=fixture_id)
    return Start(
        fixture.packet_count,
        fixture.finished,
        fixture.feed,
        fixture.speed,
        fixture.listener_epoch,
        state,
    )


# The listener's writes below take its ``epoch`` and write nothing (and tell nobody) once a
# later listener has taken the fixture over.


def record_connected(
    fixture_id: uuid.UUID, *, epoch: int | None = None, publish: bool = True
) -> Feed | None:
    written = _owned(fixture_id, epoch).update(
        listener_state=ListenerState.LISTENING, listener_error=""
    )
    return _tell_if_written(written, fixture_id, publish)


def record_disconnected(
    fixture_id: uuid.UUID, reason: str, *, epoch: int | None = None, publish: bool = True
) -> Feed | None:
    written = _owned(fixture_id, epoch).update(
        listener_state=ListenerState.RECONNECTING,
        listener_error=reason,
        reconnects=F("reconnects") + 1,
    )
    return _tell_if_written(written, fixture_id, publish)


def record_auth_rejected(
    fixture_id: uuid.UUID,
    message: str,
    retry_in: float,
    *,
    epoch: int | None = None,
    publish: bool = True,
) -> Feed | None:
    written = _owned(fixture_id, epoch).update(
        listener_state=ListenerState.AUTH_REJECTED,
        listener_error=f"The feed rejected the token: {message}",
        retry_not_before=timezone.now() + dt.timedelta(seconds=retry_in),
    )
    return _tell_if_written(written, fixture_id, publish)


def check(fixture_id: uuid.UUID, last_frame_at: dt.datetime | None, epoch: int) -> Check:
    """Note the last frame time and read the stop flag, the listen window, and whether a
    later listener (a later epoch) has taken the fixture over."""
    fixtures = _fixture(fixture_id)
    if last_frame_at is not None:
        # Only while still ours: a listener that was taken over must not write at all.
        _owned(fixture_id, epoch).update(last_frame_at=last_frame_at)
    stop_requested, listen_until, current_epoch = fixtures.values_list(
        "stop_requested", "listen_until", "listener_epoch"
    ).get()
    return Check(stop_requested, listen_until <= timezone.now(), current_epoch != epoch)


def record_stopped(
    fixture_id: uuid.UUID,
    state: ListenerState,
    error: str,
    *,
    epoch: int | None = None,
    publish: bool = True,
) -> Feed | None:
    written = _owned(fixture_id, epoch).update(listener_state=state, listener_error=error)
    return _tell_if_written(written, fixture_id, publish)


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
