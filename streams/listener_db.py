"""The listener's database steps; each runs on the listener's store thread."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Sequence
from dataclasses import dataclass

from django.db.models import F
from django.utils import timezone

from streams.catalogue import describe_stored
from streams.dde.client import Rejected
from streams.dde.messages import DataPacket
from streams.ingest import FixtureWriter, StoreResult, record_rejected_frame
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


def start_listening(fixture_id: uuid.UUID) -> Start:
    """Mark the fixture as being connected and take a new fencing epoch for this listener."""
    Fixture.objects.filter(pk=fixture_id).update(
        listener_state=ListenerState.CONNECTING,
        listener_error="",
        retry_not_before=None,
        listener_epoch=F("listener_epoch") + 1,
    )
    fixture = Fixture.objects.get(pk=fixture_id)
    return Start(
        fixture.packet_count, fixture.finished, fixture.feed, fixture.speed, fixture.listener_epoch
    )


def store(writer: FixtureWriter, arrivals: Sequence[tuple[dt.datetime, DataPacket]]) -> StoreResult:
    """Store the packets, then describe their actions as timeline rows for viewers."""
    result = writer.store([packet for _, packet in arrivals], [at for at, _ in arrivals])
    return describe_stored(writer.fixture_id, result)


def record_rejected(fixture_id: uuid.UUID, event: Rejected, after_position: int | None) -> None:
    record_rejected_frame(
        fixture_id,
        frame=event.frame,
        size=event.size,
        reason=event.reason,
        after_position=after_position,
    )


def record_state(fixture_id: uuid.UUID, change: str, reason: str = "") -> None:
    fixtures = Fixture.objects.filter(pk=fixture_id)
    if change == "connected":
        fixtures.update(listener_state=ListenerState.LISTENING, listener_error="")
    else:
        fixtures.update(
            listener_state=ListenerState.RECONNECTING,
            listener_error=reason,
            reconnects=F("reconnects") + 1,
        )


def record_auth_rejected(fixture_id: uuid.UUID, message: str, retry_in: float) -> None:
    Fixture.objects.filter(pk=fixture_id).update(
        listener_state=ListenerState.AUTH_REJECTED,
        listener_error=f"The feed rejected the token: {message}",
        retry_not_before=timezone.now() + dt.timedelta(seconds=retry_in),
    )


def check(fixture_id: uuid.UUID, last_frame_at: dt.datetime | None, epoch: int) -> Check:
    """Note the last frame time and read the stop flag, the listen window, and whether a
    later listener (a later epoch) has taken the fixture over."""
    fixtures = Fixture.objects.filter(pk=fixture_id)
    if last_frame_at is not None:
        # Only while still ours: a listener that was taken over must not write at all.
        fixtures.filter(listener_epoch=epoch).update(last_frame_at=last_frame_at)
    stop_requested, listen_until, current_epoch = fixtures.values_list(
        "stop_requested", "listen_until", "listener_epoch"
    ).get()
    return Check(stop_requested, listen_until <= timezone.now(), current_epoch != epoch)


def record_stopped(fixture_id: uuid.UUID, state: str, error: str) -> None:
    Fixture.objects.filter(pk=fixture_id).update(listener_state=state, listener_error=error)
