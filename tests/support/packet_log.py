"""The stored packet log compared with what the simulator sent."""

from __future__ import annotations

import uuid
from typing import Any

from streams.models import Packet
from tests.conftest import RunningFeed


def assert_log_equals_feed(fixture_id: uuid.UUID, feed: RunningFeed) -> list[dict[str, Any]]:
    """The fixture's stored packets are the simulator's actions endpoint, element for
    element, at positions 0, 1, 2...; returns the packets."""
    expected = feed.actions(fixture_id)
    rows = list(
        Packet.objects.filter(fixture_id=fixture_id)
        .order_by("position")
        .values_list("position", "payload")
    )
    assert [position for position, _ in rows] == list(range(len(expected)))
    assert [payload for _, payload in rows] == expected
    return expected
