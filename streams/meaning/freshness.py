"""What the feed's state means to a viewer: one word, derived in one place.

A fixture's row records what its listener last wrote (``listener_state``) and when the
last frame arrived (``last_frame_at``); "stale" is not stored anywhere: it is that a
listener says it is following but no frame came for longer than the watchdog allows,
decided at read time (here) and, between messages, by the page itself
(``static/streams/freshness.js``), from the same three values.
"""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from typing import Any

# The listener notes its last frame time every couple of seconds (``check_every_seconds``
# in streams/feed/listener.py), so a stored time may be that much behind the real one.
NOTE_LAG_SECONDS = 2.0


class FeedState(StrEnum):
    IDLE = "idle"  # nobody has followed the fixture yet
    FOLLOWING = "following"
    RECONNECTING = "reconnecting"
    STALE = "stale"
    TOKEN_REJECTED = "token_rejected"
    STOPPED = "stopped"
    FINISHED = "finished"


# listener_state (streams.models.ListenerState values) -> what it means to a viewer.
_BY_LISTENER_STATE = {
    "idle": FeedState.IDLE,
    "listening": FeedState.FOLLOWING,
    "reconnecting": FeedState.RECONNECTING,
    "auth_rejected": FeedState.TOKEN_REJECTED,
    "stopped": FeedState.STOPPED,
    "failed": FeedState.STOPPED,
    "finished": FeedState.FINISHED,
}


def stale_after_seconds(watchdog_seconds: float) -> float:
    """No frame for longer than this and a following feed is stale."""
    return watchdog_seconds + NOTE_LAG_SECONDS


def feed_state(
    listener_state: str,
    last_frame_at: dt.datetime | None,
    *,
    finished: bool,
    now: dt.datetime,
    watchdog_seconds: float,
) -> FeedState:
    if finished:
        return FeedState.FINISHED
    if listener_state == "connecting":
        # A listener (re)starting: reconnecting to a feed that spoke before, else not yet.
        return FeedState.RECONNECTING if last_frame_at is not None else FeedState.IDLE
    state = _BY_LISTENER_STATE.get(listener_state, FeedState.STOPPED)
    if state is FeedState.FOLLOWING and last_frame_at is not None:
        age = (now - last_frame_at).total_seconds()
        if age > stale_after_seconds(watchdog_seconds):
            return FeedState.STALE
    return state


def feed_payload(
    state: FeedState, last_frame_at: dt.datetime | None, watchdog_seconds: float
) -> dict[str, Any]:
    """The ``feed`` of a fixture payload (docs/live-protocol.md)."""
    return {
        "state": state.value,
        "last_frame_at": last_frame_at.isoformat() if last_frame_at else None,
        "stale_after_seconds": stale_after_seconds(watchdog_seconds),
    }


def following_feed(
    feed: dict[str, Any], received_at: dt.datetime, fixture: dict[str, Any]
) -> dict[str, Any]:
    """The ``feed`` of the fixture payload right after a packet received at
    ``received_at`` was stored: followed (or finished), its last frame that packet."""
    state = FeedState.FINISHED if fixture.get("finished") else FeedState.FOLLOWING
    return {**feed, "state": state.value, "last_frame_at": received_at.isoformat()}
