"""The campaign's checks fail when they should: each is fed a history with one flaw."""

from __future__ import annotations

import copy
import datetime as dt
import uuid

import pytest

from streams.simulator import generate_match
from streams.simulator.journal import Entry
from tests.faults.checks import (
    MatchFigures,
    check_log,
    check_replay,
    check_viewers,
    check_writers,
    replay,
    superseded_connections,
)
from tests.faults.records import MatchRecord
from tests.faults.viewers import Viewer

KICKOFF = dt.datetime(2025, 1, 1, tzinfo=dt.UTC)
FIXTURE_ID = uuid.UUID("0b6f3c1e-5d4a-4f8e-9c2b-7a1d2e3f4a5b")


@pytest.fixture(scope="module")
def clean() -> MatchRecord:
    """A match stored exactly as sent, one listener, one viewer that saw everything."""
    match = generate_match(FIXTURE_ID, KICKOFF, 1.0)
    record = MatchRecord(str(FIXTURE_ID), 0, expected=match.packets)
    record.stored = list(enumerate(match.packets))
    record.fixture_static = {
        "id": FIXTURE_ID,
        "home_team": "H",
        "away_team": "A",
        "kickoff": KICKOFF,
    }
    record.fixture, record.actions = replay(record)
    start = dt.datetime(2025, 1, 1, tzinfo=dt.UTC)
    record.writes = [
        (p, 1, 1, 100, start + dt.timedelta(seconds=p)) for p in range(len(match.packets))
    ]
    viewer = Viewer(str(FIXTURE_ID), 0, fixture=record.fixture, actions=dict(record.actions))
    viewer.position = len(match.packets) - 1
    record.viewers = [viewer]
    record.fresh_snapshot = {
        "type": "snapshot",
        "position": len(match.packets) - 1,
        "fixture": record.fixture,
        "actions": list(record.actions.values()),
    }
    return record


def problems(record: MatchRecord, check: str) -> list[str]:
    figures = MatchFigures(record.fixture_id)
    {"log": check_log, "replay": check_replay, "writers": check_writers,
     "viewers": check_viewers}[check](record, figures)  # fmt: skip
    return figures.problems.get(check, [])


@pytest.mark.parametrize("check", ["log", "replay", "writers", "viewers"])
def test_a_clean_history_passes_every_check(clean: MatchRecord, check: str) -> None:
    assert problems(clean, check) == []


def test_the_log_check_counts_a_missing_packet_a_duplicate_and_a_changed_payload(
    clean: MatchRecord,
) -> None:
    record = copy.deepcopy(clean)
    del record.stored[10]
    record.stored.append((len(record.expected), record.expected[3]))
    position, payload = record.stored[19]  # position 20, now that 10 is gone
    changed = copy.deepcopy(payload)
    changed["fixtureSummary"]["homeTeamScore"] = 99
    record.stored[19] = (position, changed)
    assert problems(record, "log") == ["missing: 1", "payload mismatches: 1", "duplicates: 2"]


def test_the_replay_check_finds_an_action_and_a_summary_that_differ(clean: MatchRecord) -> None:
    record = copy.deepcopy(clean)
    action_id = next(iter(record.actions))
    record.actions[action_id]["send_type"] = "Deleted"
    record.fixture["home_score"] += 1
    found = problems(record, "replay")
    assert any("home_score" in p for p in found)
    assert any(action_id in p for p in found)


def test_the_writer_check_finds_two_listeners_storing_at_once(clean: MatchRecord) -> None:
    record = copy.deepcopy(clean)
    # Listener 2 takes over at position 100 but listener 1 still writes position 150.
    writes = []
    for position, _, _, pid, at in record.writes:
        epoch = 2 if 100 <= position != 150 else 1
        writes.append((position, epoch, epoch, pid, at))
    record.writes = writes
    assert problems(record, "writers") == ["listeners 1 and 2 stored at the same time"]
    record.writes[5] = (5, 1, 2, 100, record.writes[5][4])  # fenced out, yet stored
    assert "position 5 by epoch 1 of 2" in problems(record, "writers")


def test_a_viewer_records_gaps_and_duplicates_and_the_check_reports_them(
    clean: MatchRecord,
) -> None:
    viewer = Viewer(clean.fixture_id, 1)
    fixture, action = clean.fixture, next(iter(clean.actions.values()))
    viewer.apply({"type": "snapshot", "position": 4, "fixture": fixture, "actions": []})
    for position in (5, 7, 7):
        viewer.apply({"type": "change", "position": position, "fixture": fixture, "action": action})
    viewer.apply({"type": "snapshot", "position": 3, "fixture": fixture, "actions": []})
    assert viewer.violations == ["gap 6..6", "duplicate 7 (had 7)", "snapshot at 3 after 7"]
    record = copy.deepcopy(clean)
    record.viewers.append(viewer)
    found = problems(record, "viewers")
    assert "viewer 1: gap 6..6" in found
    assert "viewer 1 ended unlike a fresh load" in found


def test_connections_of_a_listener_already_replaced_are_recognised() -> None:
    journal = [
        Entry(1.0, "f", 1, "authorised", "100"),
        Entry(2.0, "f", 2, "authorised", "180"),  # the new listener, from what is stored
        Entry(3.0, "f", 3, "authorised", "150"),  # the old one, reconnecting from its own
        Entry(4.0, "f", 4, "authorised", "200"),
    ]
    assert superseded_connections(journal) == {3}
