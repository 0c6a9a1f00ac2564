"""Starting, stopping and replaying listeners: the verbs admin, commands and beat share."""

from __future__ import annotations

import datetime as dt
import time
import uuid
from collections.abc import Callable

import structlog
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from streams.feed import lifecycle
from streams.feed.locks import followed_keys, is_followed, lock_key
from streams.feed.rules import FEED_FIXTURE_FIELDS
from streams.models import Action, ActionTypeSighting, Fixture, Packet, RejectedFrame
from streams.viewers import broadcast

log = structlog.get_logger(__name__)

Enqueue = Callable[[uuid.UUID], None]

# A fixture started by hand stays open this long when its window was already over.
MANUAL_WINDOW = dt.timedelta(hours=4)


def fixtures_to_start(now: dt.datetime) -> list[uuid.UUID]:
    """Fixtures whose window is open, that are not finished or stopped, and nobody follows."""
    due = (
        Fixture.objects.due(now)
        .filter(Q(retry_not_before__isnull=True) | Q(retry_not_before__lte=now))
        .values_list("id", flat=True)
    )
    followed = followed_keys()
    return [fixture_id for fixture_id in due if lock_key(fixture_id) not in followed]


def dispatch_due(*, enqueue: Enqueue, now: dt.datetime | None = None) -> list[uuid.UUID]:
    """Enqueue a listener for every fixture that needs one. Duplicates exit at once."""
    started = fixtures_to_start(now or timezone.now())
    for fixture_id in started:
        enqueue(fixture_id)
    if started:
        log.info("dispatch.started", fixtures=[str(f) for f in started])
    return started


def start_now(fixture_id: uuid.UUID, *, enqueue: Enqueue) -> None:
    """Open the fixture's window now (if it is not open) and enqueue its listener."""
    now = timezone.now()
    fixture = Fixture.objects.get(pk=fixture_id)
    fixture.listen_from = min(fixture.listen_from, now)
    fixture.listen_until = max(fixture.listen_until, now + MANUAL_WINDOW)
    fixture.stop_requested = False
    fixture.save(update_fields=["listen_from", "listen_until", "stop_requested"])
    lifecycle.clear_retry(fixture_id)
    transaction.on_commit(lambda: enqueue(fixture_id))


def request_stop(fixture_id: uuid.UUID) -> None:
    """Ask the fixture's listener to stop; it checks the flag between frames."""
    Fixture.objects.filter(pk=fixture_id).update(stop_requested=True)


def wait_until_unfollowed(fixture_id: uuid.UUID, *, timeout: float = 30.0) -> bool:
    deadline = time.monotonic() + timeout
    while is_followed(fixture_id):
        if time.monotonic() > deadline:
            return False
        time.sleep(0.2)
    return True


# What the feed writes on a fixture, as a fixture the feed never spoke of has it; but the
# colours, which staff may have set and the replay sends again.
_FEED_DEFAULTS = {
    field.name: field.get_default()
    for field in Fixture._meta.concrete_fields
    if field.name in FEED_FIXTURE_FIELDS and field.name not in ("home_colour", "away_colour")
}


def reset_fixture(fixture_id: uuid.UUID) -> None:
    """Forget everything stored for a fixture, so the next listener replays from the start."""
    with transaction.atomic():
        for stored in (Packet, Action, RejectedFrame, ActionTypeSighting):
            stored.objects.filter(fixture_id=fixture_id).delete()
        Fixture.objects.filter(pk=fixture_id).update(
            **_FEED_DEFAULTS, last_position=None, stop_requested=False
        )
        lifecycle.forget_listener(fixture_id)
        # Open pages start again from the new log, without a reload (a ``reset`` message).
        transaction.on_commit(lambda: _tell_reset(fixture_id))


def _tell_reset(fixture_id: uuid.UUID) -> None:
    fixture = Fixture.objects.filter(pk=fixture_id).first()
    if fixture is not None:
        broadcast.publish_reset(fixture_id, fixture.to_payload())


def replay_from_start(fixture_id: uuid.UUID, *, enqueue: Enqueue) -> bool:
    """Stop the listener, wipe what was stored, and follow the fixture again from position 0.

    Returns False (and changes nothing) when the running listener did not stop in time.
    """
    request_stop(fixture_id)
    if not wait_until_unfollowed(fixture_id):
        return False
    reset_fixture(fixture_id)
    start_now(fixture_id, enqueue=enqueue)
    return True
