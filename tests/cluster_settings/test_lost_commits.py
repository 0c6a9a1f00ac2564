"""Storage that went back (commits lost in a failover) stops the listener's writer."""

from __future__ import annotations

import uuid
from collections.abc import Callable

import pytest

from streams.feed.locks import LeaseLost
from streams.feed.writer import FixtureWriter
from streams.models import Fixture, Packet
from tests.conftest import arrived
from tests.support.packets import Feed

pytestmark = pytest.mark.django_db


def test_a_writer_that_stored_more_than_storage_holds_stops_and_stores_nothing(
    make_fixture: Callable[..., Fixture],
) -> None:
    fixture = make_fixture()
    feed = Feed(fixture.id)
    writer = FixtureWriter(fixture.id)
    writer.load()
    packets = [
        feed.packet(str(uuid.uuid4()), "Confirmed", 15, "Possession Gained") for _ in range(3)
    ]
    assert writer.store(arrived(packets)).next_position == 3
    # What a promoted replica that had not received the last commit holds.
    Packet.objects.filter(fixture=fixture, position=2).delete()
    Fixture.objects.filter(pk=fixture.id).update(last_position=1)

    later = feed.packet(str(uuid.uuid4()), "Confirmed", 15, "Possession Gained")
    with pytest.raises(LeaseLost, match="fewer than the 3"):
        writer.store(arrived([later]))
    assert list(Packet.objects.filter(fixture=fixture).values_list("position", flat=True)) == [
        0,
        1,
    ]


def test_a_writer_that_finds_more_stored_than_it_knows_reloads_and_goes_on(
    make_fixture: Callable[..., Fixture],
) -> None:
    # The other side: storage ahead of the writer (another writer's commit) is not a loss.
    fixture = make_fixture()
    feed = Feed(fixture.id)
    writer = FixtureWriter(fixture.id)
    writer.load()
    writer.store(arrived([feed.packet(str(uuid.uuid4()), "Confirmed", 15, "Possession Gained")]))
    FixtureWriter(fixture.id).store(
        arrived([feed.packet(str(uuid.uuid4()), "Confirmed", 15, "Possession Gained")])
    )
    result = writer.store(
        arrived([feed.packet(str(uuid.uuid4()), "Confirmed", 15, "Possession Gained")])
    )
    assert [s.position for s in result.stored] == [2]
