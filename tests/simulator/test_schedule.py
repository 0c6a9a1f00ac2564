"""The schedule: live fixtures by kick-off, recorded ones for any other id, the demo trio."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest

from streams.simulator import Schedule
from streams.simulator.schedule import RECORDED_PACE

NOW = dt.datetime(2026, 11, 24, 15, 30, 20, 500000, tzinfo=dt.UTC)


def test_an_unknown_id_is_a_recorded_match_that_finished_long_ago() -> None:
    schedule = Schedule()
    fixture_id = uuid.UUID("75bcc0e0-d0de-4a72-a57d-208df43077f8")
    entry = schedule.entry(fixture_id)
    assert not entry.scheduled
    assert entry.kickoff.year == 2025
    assert entry == Schedule().entry(fixture_id)
    match = schedule.match(fixture_id, pace=10.0)
    assert match.pace == RECORDED_PACE
    assert match.is_finished(dt.datetime.now(dt.UTC))
    assert schedule.scheduled() == []


def test_a_scheduled_fixture_plays_at_the_simulator_pace_with_its_team_names() -> None:
    schedule = Schedule()
    fixture_id = uuid.uuid4()
    schedule.add(fixture_id, kickoff=NOW, home="Nyköbing FC", away="FC Helsingör")
    match = schedule.match(fixture_id, pace=10.0)
    assert match.pace == 10.0
    assert match.name == "Nyköbing FC v FC Helsingör"
    assert schedule.match(fixture_id, pace=10.0) is match


def test_packets_are_released_at_kickoff_plus_their_offset() -> None:
    schedule = Schedule()
    fixture_id = uuid.uuid4()
    schedule.add(fixture_id, kickoff=NOW)
    match = schedule.match(fixture_id, pace=1.0)
    assert match.released(match.first_release - dt.timedelta(microseconds=1)) == 0
    assert match.released(match.first_release) == 1
    assert match.released(NOW) == sum(offset <= 0 for offset in match.release_offsets)
    assert not match.is_finished(NOW)
    assert match.is_finished(match.last_release)


def test_rescheduling_a_fixture_bumps_its_update_count() -> None:
    schedule = Schedule()
    fixture_id = uuid.uuid4()
    assert schedule.add(fixture_id, kickoff=NOW).update_count == 0
    assert schedule.add(fixture_id, kickoff=NOW).update_count == 0
    moved = schedule.add(fixture_id, kickoff=NOW + dt.timedelta(hours=1))
    assert moved.update_count == 1


def test_a_naive_kickoff_is_refused() -> None:
    with pytest.raises(ValueError, match="timezone"):
        Schedule().add(uuid.uuid4(), kickoff=dt.datetime(2026, 1, 1, 15))


def test_the_demo_adds_a_soon_live_a_later_and_a_finished_fixture() -> None:
    schedule = Schedule()
    ids = schedule.demo(NOW)
    soon, later, finished = (schedule.entry(fixture_id) for fixture_id in ids)
    assert 30 <= (soon.kickoff - NOW).total_seconds() <= 60
    assert 200 <= (later.kickoff - NOW).total_seconds() <= 300
    assert schedule.match(finished.id, pace=1.0).is_finished(NOW)
    assert {entry.id for entry in schedule.scheduled()} == set(ids)


def test_demo_ids_are_new_each_minute_and_stable_within_one() -> None:
    first = Schedule().demo(NOW)
    assert Schedule().demo(NOW + dt.timedelta(seconds=20)) == first
    assert set(Schedule().demo(NOW + dt.timedelta(minutes=1))).isdisjoint(first)
