"""A listener's state writes are fenced by its epoch, like its packet writes."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.db.models import F
from django.utils import timezone

from streams.feed import lifecycle
from streams.models import Fixture, ListenerState

pytestmark = pytest.mark.django_db(transaction=True)

STATE_COLUMNS = ("listener_state", "listener_error", "reconnects", "retry_not_before")

# Every write a listener makes of its fixture's state, as it makes it (with its epoch).
LISTENER_WRITES: list[tuple[str, Callable[..., Any]]] = [
    ("connected", lambda f, epoch: lifecycle.record_connected(f, epoch=epoch, publish=False)),
    (
        "disconnected",
        lambda f, epoch: lifecycle.record_disconnected(f, "gone", epoch=epoch, publish=False),
    ),
    (
        "auth_rejected",
        lambda f, epoch: lifecycle.record_auth_rejected(f, "no", 60.0, epoch=epoch, publish=False),
    ),
    (
        "stopped_failed",
        lambda f, epoch: lifecycle.record_stopped(
            f, ListenerState.FAILED, "boom", epoch=epoch, publish=False
        ),
    ),
]


def state_of(fixture: Fixture) -> dict[str, Any]:
    return Fixture.objects.values(*STATE_COLUMNS, "last_frame_at").get(pk=fixture.id)


@pytest.mark.parametrize(("name", "write"), LISTENER_WRITES, ids=[n for n, _ in LISTENER_WRITES])
def test_a_listener_whose_fixture_was_taken_over_writes_no_state(
    make_fixture: Callable[..., Fixture], name: str, write: Callable[..., Any]
) -> None:
    fixture = make_fixture()
    old = lifecycle.start_listening(fixture.id, publish=False)
    successor = lifecycle.start_listening(fixture.id, publish=False)
    assert successor.epoch == old.epoch + 1
    lifecycle.record_connected(fixture.id, epoch=successor.epoch, publish=False)
    before = state_of(fixture)
    assert write(fixture.id, old.epoch) is None  # nothing written, so nothing to tell viewers
    assert state_of(fixture) == before


@pytest.mark.parametrize(("name", "write"), LISTENER_WRITES, ids=[n for n, _ in LISTENER_WRITES])
def test_the_listener_that_owns_the_fixture_writes_its_state(
    make_fixture: Callable[..., Fixture], name: str, write: Callable[..., Any]
) -> None:
    # The other side of the fence: without it the test above would pass for a no-op.
    fixture = make_fixture()
    current = lifecycle.start_listening(fixture.id, publish=False)
    before = state_of(fixture)
    feed = write(fixture.id, current.epoch)
    assert feed is not None  # the state as written, for the listener to tell viewers
    assert state_of(fixture) != before


def test_a_taken_over_listener_does_not_note_its_last_frame_time(
    make_fixture: Callable[..., Fixture],
) -> None:
    fixture = make_fixture()
    old = lifecycle.start_listening(fixture.id, publish=False)
    Fixture.objects.filter(pk=fixture.id).update(listener_epoch=F("listener_epoch") + 1)
    check = lifecycle.check(fixture.id, timezone.now(), old.epoch)
    assert check.taken_over
    assert Fixture.objects.get(pk=fixture.id).last_frame_at is None
