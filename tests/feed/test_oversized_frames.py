"""Oversized upstream frames against the real simulator: recorded as rejected, then skipped."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

import pytest
from django.utils import timezone

from streams.feed.listener import Outcome, follow
from streams.models import Fixture, Packet, RejectedFrame
from streams.simulator.match import generate_match
from tests.conftest import StartFeed

pytestmark = pytest.mark.django_db(transaction=True)

MAX_FRAME = 64 * 1024
CEILING = 256 * 1024
EVERY = 300  # the packets at positions 299, 599, ... are sent padded


def padded_positions(packet_count: int) -> list[int]:
    return [index for index in range(packet_count) if (index + 1) % EVERY == 0]


def fixture_not_ending_on_a_padded_packet(make_fixture: Callable[..., Fixture]) -> Fixture:
    """A fixture whose match length is not a multiple of EVERY. Otherwise its last packet,
    the one saying ``finished``, is padded and skipped, and the listener waits for the end
    until the listen window closes (an hour here): about one match in EVERY."""
    while True:
        fixture_id = uuid.uuid4()
        if len(generate_match(fixture_id, timezone.now()).packets) % EVERY:
            return make_fixture(fixture_id)


def assert_stored_all_but(fixture: Fixture, expected: list[dict[str, Any]], skipped: list[int]):
    kept = [packet for index, packet in enumerate(expected) if index not in skipped]
    rows = list(Packet.objects.filter(fixture=fixture).order_by("position"))
    assert [row.position for row in rows] == list(range(len(kept)))
    assert [row.payload for row in rows] == kept


@pytest.fixture
def small_limits(settings: Any) -> None:
    settings.DDE_MAX_FRAME_BYTES = MAX_FRAME
    settings.DDE_FRAME_CEILING_BYTES = CEILING


@pytest.mark.usefixtures("small_limits")
def test_frames_over_the_limit_are_recorded_with_their_size_and_the_connection_goes_on(
    start_feed: StartFeed, make_fixture: Callable[..., Fixture]
) -> None:
    feed = start_feed(faults=f"huge={EVERY}:{MAX_FRAME * 2}")
    fixture = fixture_not_ending_on_a_padded_packet(make_fixture)
    assert follow(fixture.id, speed="fast") is Outcome.FINISHED
    expected = feed.actions(fixture.id)
    skipped = padded_positions(len(expected))
    assert skipped, "the match is long enough to have padded packets"
    assert_stored_all_but(fixture, expected, skipped)
    rejected = list(RejectedFrame.objects.filter(fixture=fixture).order_by("received_at"))
    assert [frame.after_position for frame in rejected] == [
        position - 1 - number for number, position in enumerate(skipped)
    ]
    for frame in rejected:
        assert frame.size >= MAX_FRAME * 2
        assert "exceeds the 65536-byte limit" in frame.reason
        assert 0 < len(frame.frame) <= 4096
    assert feed.stats.connections == 1


@pytest.mark.usefixtures("small_limits")
def test_a_frame_beyond_the_ceiling_is_recorded_and_skipped_instead_of_reconnecting_forever(
    start_feed: StartFeed, make_fixture: Callable[..., Fixture]
) -> None:
    feed = start_feed(faults=f"huge={EVERY}:{CEILING * 4}")
    fixture = fixture_not_ending_on_a_padded_packet(make_fixture)
    assert follow(fixture.id, speed="fast") is Outcome.FINISHED
    expected = feed.actions(fixture.id)
    skipped = padded_positions(len(expected))
    assert_stored_all_but(fixture, expected, skipped)
    rejected = RejectedFrame.objects.filter(fixture=fixture)
    # Each one is met at least twice from the same position before it is skipped, and a
    # bounded number of times: no reconnect loop.
    assert 2 * len(skipped) <= rejected.count() <= 5 * len(skipped)
    for frame in rejected:
        assert frame.size >= CEILING * 4
        assert "websocket ceiling" in frame.reason
    assert feed.stats.connections <= 1 + 5 * len(skipped)
