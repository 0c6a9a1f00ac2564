"""store_packets against real Postgres: positions, repeats, action lifecycles, the summary."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable

import pytest
from django.db import connection, transaction

from streams.dde.messages import DataPacket, parse_frame
from streams.feed.locks import LeaseLost
from streams.feed.statement import WRITER_EPOCH_SETTING
from streams.feed.writer import FixtureWriter, store_packets
from streams.models import Action, Fixture, Packet
from tests.conftest import arrived
from tests.support.packets import Feed

pytestmark = pytest.mark.django_db


@pytest.fixture
def fixture(make_fixture: Callable[..., Fixture]) -> Fixture:
    return make_fixture()


@pytest.fixture
def feed(fixture: Fixture) -> Feed:
    return Feed(fixture.id)


def action(fixture: Fixture, action_id: str) -> Action:
    return Action.objects.get(fixture=fixture, action_id=action_id)


def new_id() -> str:
    return str(uuid.uuid4())


def test_store_packets_gives_positions_from_zero_in_arrival_order(fixture, feed):
    packets = [feed.packet(new_id(), "Confirmed", 15, "Possession Gained") for _ in range(3)]
    result = store_packets(fixture.id, packets)
    assert [s.position for s in result.stored] == [0, 1, 2]
    more = store_packets(fixture.id, [feed.packet(new_id(), "Confirmed", 110, "Dangerous Attack")])
    assert [s.position for s in more.stored] == [3]
    assert more.next_position == 4
    positions = Packet.objects.filter(fixture=fixture).values_list("position", flat=True)
    assert list(positions) == [0, 1, 2, 3]


def test_store_packets_ignores_a_repeated_packet_and_gives_it_no_position(fixture, feed):
    first = feed.packet(new_id(), "Confirmed", 103, "Corner")
    store_packets(fixture.id, [first])
    result = store_packets(fixture.id, [first, feed.packet(new_id(), "Confirmed", 103, "Corner")])
    assert result.repeats == 1
    assert [s.position for s in result.stored] == [1]
    assert Packet.objects.filter(fixture=fixture).count() == 2


def test_a_repeat_inside_one_batch_is_stored_once(fixture, feed):
    packet = feed.packet(new_id(), "Confirmed", 103, "Corner")
    result = store_packets(fixture.id, [packet, packet])
    assert result.repeats == 1
    assert Packet.objects.filter(fixture=fixture).count() == 1


def test_the_payload_is_stored_exactly_as_received(fixture, feed):
    packet = feed.packet(new_id(), "Confirmed", 2, "Team Colours", unknownExtra={"x": [1, "2"]})
    store_packets(fixture.id, [packet])
    assert Packet.objects.get(fixture=fixture).payload == packet.payload


def test_pending_then_confirmed_updates_the_action_in_place(fixture, feed):
    goal = new_id()
    store_packets(fixture.id, [feed.packet(goal, "Pending", 100, "Goal")])
    assert action(fixture, goal).send_type == "Pending"
    store_packets(
        fixture.id,
        [
            feed.packet(
                goal,
                "Confirmed",
                100,
                "Goal",
                fixtureActionSubTypeId=10001,
                fixtureActionSubType="Inside Box",
            )
        ],
    )
    state = action(fixture, goal)
    assert (state.send_type, state.subtype_name, state.removed) == (
        "Confirmed",
        "Inside Box",
        False,
    )
    assert (state.first_position, state.last_position) == (0, 1)
    assert Action.objects.filter(fixture=fixture).count() == 1


def test_pending_then_cancelled_marks_the_action_removed(fixture, feed):
    card = new_id()
    store_packets(fixture.id, [feed.packet(card, "Pending", 107, "Yellow Card")])
    store_packets(fixture.id, [feed.packet(card, "Cancelled", 107, "Yellow Card")])
    state = action(fixture, card)
    assert (state.send_type, state.removed, state.restored) == ("Cancelled", True, False)


def test_confirmed_deleted_then_updated_is_restored(fixture, feed):
    goal = new_id()
    team = {"id": str(uuid.uuid4()), "name": "Home", "homeTeam": True}
    store_packets(fixture.id, [feed.packet(goal, "Confirmed", 100, "Goal", team=team)])
    # A thin deletion packet without the team keeps who scored for the struck-through entry.
    store_packets(fixture.id, [feed.packet(goal, "Deleted", 100, "Goal")])
    deleted = action(fixture, goal)
    assert (deleted.removed, deleted.team_name) == (True, "Home")
    store_packets(fixture.id, [feed.packet(goal, "Updated", 100, "Goal", team=team)])
    restored = action(fixture, goal)
    assert (restored.send_type, restored.removed, restored.restored) == ("Updated", False, True)


def test_an_update_can_change_the_type_yellow_to_red(fixture, feed):
    card = new_id()
    store_packets(fixture.id, [feed.packet(card, "Confirmed", 107, "Yellow Card")])
    store_packets(fixture.id, [feed.packet(card, "Updated", 108, "Red Card")])
    state = action(fixture, card)
    assert (state.type_id, state.type_name, state.send_type) == (108, "Red Card", "Updated")


def test_an_older_version_arriving_late_does_not_overwrite_a_newer_one(fixture, feed):
    card = new_id()
    confirmed = feed.packet(card, "Confirmed", 107, "Yellow Card", seq=10)
    pending = feed.packet(card, "Pending", 107, "Yellow Card", seq=9)
    store_packets(fixture.id, [confirmed, pending])
    state = action(fixture, card)
    assert (state.send_type, state.fixture_seq_num, state.last_position) == ("Confirmed", 10, 1)


def test_the_fixture_takes_the_latest_summary_including_a_corrected_score(fixture, feed):
    goal = new_id()
    feed.home = 1
    store_packets(fixture.id, [feed.packet(goal, "Confirmed", 100, "Goal")])
    fixture.refresh_from_db()
    assert (fixture.home_score, fixture.away_score, fixture.status) == (1, 0, "Live")
    feed.home = 0
    store_packets(fixture.id, [feed.packet(goal, "Deleted", 100, "Goal")])
    fixture.refresh_from_db()
    assert (fixture.home_score, fixture.clock_time, fixture.home_in_possession) == (
        0,
        "12:34",
        True,
    )


def test_team_colours_are_copied_to_the_fixture(fixture, feed):
    colours = {"HomeTeamColour": "5, 52, 13", "awayteamcolour": "255, 0, 0"}
    store_packets(
        fixture.id, [feed.packet(new_id(), "Confirmed", 2, "Team Colours", metadata=colours)]
    )
    fixture.refresh_from_db()
    assert (fixture.home_colour, fixture.away_colour) == ("5, 52, 13", "255, 0, 0")


def test_a_finished_packet_finishes_the_fixture(fixture, feed):
    result = store_packets(
        fixture.id, [feed.packet(new_id(), "Confirmed", 5, "End Match", finished=True)]
    )
    fixture.refresh_from_db()
    assert result.finished and fixture.finished


def test_a_writer_taken_over_by_a_later_listener_stores_nothing(fixture, feed):
    Fixture.objects.filter(pk=fixture.pk).update(listener_epoch=2)
    stale = FixtureWriter(fixture.id, epoch=1)
    with pytest.raises(LeaseLost):
        stale.store(arrived([feed.packet(new_id(), "Confirmed", 103, "Corner")]))
    assert not Packet.objects.filter(fixture=fixture).exists()
    current = FixtureWriter(fixture.id, epoch=2)
    assert (
        len(current.store(arrived([feed.packet(new_id(), "Confirmed", 103, "Corner")])).stored) == 1
    )


def test_a_writer_that_has_stored_stops_at_once_when_a_later_listener_takes_over(fixture, feed):
    Fixture.objects.filter(pk=fixture.pk).update(listener_epoch=1)
    writer = FixtureWriter(fixture.id, epoch=1)
    writer.store(arrived([feed.packet(new_id(), "Confirmed", 103, "Corner")]))
    Fixture.objects.filter(pk=fixture.pk).update(listener_epoch=2)
    with pytest.raises(LeaseLost):
        writer.store(arrived([feed.packet(new_id(), "Confirmed", 109, "Foul")]))
    assert Packet.objects.filter(fixture=fixture).count() == 1
    assert Action.objects.filter(fixture=fixture).count() == 1


def test_a_writer_names_its_epoch_to_the_database_for_the_length_of_its_transaction(fixture, feed):
    # What an audit trigger sees (the fault suite's writer check relies on it).
    Fixture.objects.filter(pk=fixture.pk).update(listener_epoch=7)
    with transaction.atomic():
        FixtureWriter(fixture.id, epoch=7).store(
            arrived([feed.packet(new_id(), "Confirmed", 103, "C")])
        )
        with connection.cursor() as cursor:
            cursor.execute("SELECT current_setting(%s, true)", [WRITER_EPOCH_SETTING])
            assert cursor.fetchone() == ("7",)


def test_a_writer_keeps_what_staff_edit_meanwhile_and_shows_it_from_the_next_packet(fixture, feed):
    writer = FixtureWriter(fixture.id)
    writer.store(arrived([feed.packet(new_id(), "Confirmed", 103, "Corner")]))
    kickoff = fixture.kickoff + dt.timedelta(minutes=15)
    Fixture.objects.filter(pk=fixture.pk).update(home_team="Renamed FC", kickoff=kickoff)
    feed.home = 1
    result = writer.store(arrived([feed.packet(new_id(), "Confirmed", 101, "Goal")]))
    shown = result.stored[0].fixture
    assert (shown["home_team"], shown["kickoff"], shown["home_score"]) == (
        "Renamed FC",
        kickoff.isoformat(),
        1,
    )
    assert shown["name"].startswith("Renamed FC v ")
    fixture.refresh_from_db()
    assert (fixture.home_team, fixture.kickoff, fixture.home_score) == ("Renamed FC", kickoff, 1)
    later = writer.store(arrived([feed.packet(new_id(), "Confirmed", 103, "Corner")]))
    assert later.stored[0].fixture["home_team"] == "Renamed FC"


def test_a_stop_requested_between_packets_is_reported_by_the_next_store(fixture, feed):
    writer = FixtureWriter(fixture.id)
    assert not writer.store(
        arrived([feed.packet(new_id(), "Confirmed", 103, "Corner")])
    ).stop_requested
    Fixture.objects.filter(pk=fixture.pk).update(stop_requested=True)
    assert writer.store(arrived([feed.packet(new_id(), "Confirmed", 103, "Corner")])).stop_requested


def test_a_writer_notices_packets_stored_by_someone_else_and_continues_after_them(fixture, feed):
    writer = FixtureWriter(fixture.id)
    writer.store(arrived([feed.packet(new_id(), "Confirmed", 103, "Corner")]))
    store_packets(fixture.id, [feed.packet(new_id(), "Confirmed", 103, "Corner")])
    shared = feed.packet(new_id(), "Confirmed", 103, "Corner")
    store_packets(fixture.id, [shared])
    result = writer.store(arrived([shared, feed.packet(new_id(), "Confirmed", 109, "Foul")]))
    assert (result.repeats, [s.position for s in result.stored]) == (1, [3])


def test_an_action_changed_long_after_it_left_the_writers_memory_keeps_its_details(fixture, feed):
    writer = FixtureWriter(fixture.id)
    goal = new_id()
    team = {"id": str(uuid.uuid4()), "name": "Home", "homeTeam": True}
    writer.store(arrived([feed.packet(goal, "Confirmed", 100, "Goal", team=team)]))
    others = [feed.packet(new_id(), "Confirmed", 15, "Possession Gained") for _ in range(200)]
    for packet in others:
        writer.store(arrived([packet]))
    writer.store(arrived([feed.packet(goal, "Deleted", 100, "Goal")]))
    state = action(fixture, goal)
    assert (state.send_type, state.removed, state.team_name) == ("Deleted", True, "Home")
    assert (state.first_position, state.last_position) == (0, 201)


def test_a_change_carries_the_fixture_summary_with_its_json_fields_decoded(fixture, feed):
    result = FixtureWriter(fixture.id).store(
        arrived([feed.packet(new_id(), "Confirmed", 6, "Start Period")])
    )
    summary = result.stored[0].fixture
    assert summary["periods"] == [] and summary["home_score"] == 0


def test_numbers_beyond_what_json_libraries_write_are_stored_all_the_same(fixture, feed):
    # 1e999 reads as infinity, which written back as JSON is "Infinity" (refused by
    # Postgres); 2**70 is wider than orjson writes. Neither may stop the listener.
    packet = feed.packet(new_id(), "Confirmed", 103, "C", metadata={"wide": 2**70, "huge": 0})
    text = packet.text.replace('"huge": 0', '"huge": 1e999')
    unusual = parse_frame(text)
    assert isinstance(unusual, DataPacket)
    assert len(store_packets(fixture.id, [unusual]).stored) == 1
    stored = Packet.objects.get(fixture=fixture)
    assert stored.payload["fixtureAction"]["metadata"]["wide"] == 2**70
    assert stored.payload["fixtureAction"]["metadata"]["huge"] == 10**999  # as sent
    metadata = action(fixture, unusual.action.action_id).metadata
    assert metadata == {"wide": 2**70, "huge": None}
