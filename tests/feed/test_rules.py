"""streams/feed/rules.py on its own: what one packet does to an action and to its fixture.

Pure functions, so no database: packets are built from the parsed dataclasses, except
where the wire's spelling is the point (then through ``parse_frame``).
"""

from __future__ import annotations

import datetime as dt
import json
import uuid
from dataclasses import replace
from typing import Any

import pytest

from streams.dde.messages import DataPacket, ParsedAction, ParsedPeriod, ParsedSummary, parse_frame
from streams.feed.rules import (
    FEED_FIXTURE_FIELDS,
    action_fields,
    fixture_fields,
    is_stale,
    next_action_state,
    period_payload,
    summary_fields,
)
from streams.feed.statement import ACTION_STATE_FIELDS
from streams.models import Action, Fixture

ACTION_ID = str(uuid.uuid4())
KICKOFF = dt.datetime(2026, 11, 24, 15, 0, tzinfo=dt.UTC)

# A goal as the feed describes it, confirmed: every descriptive field filled in.
GOAL = ParsedAction(
    action_id=ACTION_ID,
    fixture_id=str(uuid.uuid4()),
    period=1,
    clock_time="23:10",
    timestamp=KICKOFF + dt.timedelta(minutes=23),
    send_type="Confirmed",
    send_type_id=5,
    fixture_seq_num=10,
    timeline_sequence=10.5,
    type_id=100,
    type_name="Goal",
    subtype_id=3,
    subtype_name="Header",
    team_id="team-home",
    team_name="Alder Rovers",
    team_is_home=True,
    player_id="player-9",
    player_name="A. Striker",
    metadata={"xG": 0.4},
    related_action_ids=("a-1", "a-2"),
    delayed=False,
)


def packet(
    action: ParsedAction = GOAL,
    summary: ParsedSummary | None = None,
    *,
    finished: bool = False,
) -> DataPacket:
    return DataPacket(payload={}, action=action, summary=summary, finished=finished, text="{}")


def version(seq: int | None, send_type: str, **fields: Any) -> DataPacket:
    """Another version of GOAL: its sequence number, send type and any other changes."""
    return packet(replace(GOAL, fixture_seq_num=seq, send_type=send_type, **fields))


def thin(seq: int, send_type: str) -> DataPacket:
    """A removal as the feed may send it: the id, the send type, and little else."""
    return packet(ParsedAction(action_id=ACTION_ID, send_type=send_type, fixture_seq_num=seq))


def wire(action: dict[str, Any], summary: dict[str, Any] | None = None, **top: Any) -> DataPacket:
    """A packet parsed from the JSON the vendor sends."""
    payload: dict[str, Any] = {"fixtureAction": {"actionId": ACTION_ID, **action}, **top}
    if summary is not None:
        payload["fixtureSummary"] = summary
    parsed = parse_frame(json.dumps(payload))
    assert isinstance(parsed, DataPacket)
    return parsed


# ---- action_fields -----------------------------------------------------------------


def test_action_fields_are_the_action_columns_of_one_version() -> None:
    assert action_fields(GOAL) == {
        "type_id": 100,
        "type_name": "Goal",
        "subtype_id": 3,
        "subtype_name": "Header",
        "send_type": "Confirmed",
        "send_type_id": 5,
        "period": 1,
        "clock_time": "23:10",
        "timestamp": KICKOFF + dt.timedelta(minutes=23),
        "team_id": "team-home",
        "team_name": "Alder Rovers",
        "team_is_home": True,
        "player_id": "player-9",
        "player_name": "A. Striker",
        "metadata": {"xG": 0.4},
        "related_action_ids": ["a-1", "a-2"],
        "timeline_sequence": 10.5,
        "fixture_seq_num": 10,
        "delayed": False,
    }


def test_action_fields_write_missing_texts_as_empty_and_leave_missing_numbers_none() -> None:
    fields = action_fields(ParsedAction(action_id=ACTION_ID, send_type="Pending"))
    # Text columns are NOT NULL (blank): a missing clock, team or player is "".
    assert (fields["clock_time"], fields["team_id"], fields["player_id"]) == ("", "", "")
    assert (fields["type_id"], fields["period"], fields["fixture_seq_num"]) == (None, None, None)
    assert (fields["metadata"], fields["related_action_ids"]) == ({}, [])


def test_action_fields_name_only_columns_of_the_action_table() -> None:
    columns = {field.name for field in Action._meta.concrete_fields}
    assert set(action_fields(GOAL)) <= columns


# ---- is_stale ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("current", "incoming", "stale"),
    [
        (10, 9, True),  # an older version arriving after a newer one
        (10, 10, False),  # the same version again: applied, it changes nothing
        (10, 11, False),
        (None, 3, False),  # nothing to compare with
        (10, None, False),  # a version without a number cannot be placed: applied
        (None, None, False),
    ],
)
def test_only_a_lower_sequence_number_than_the_current_one_is_stale(
    current: int | None, incoming: int | None, stale: bool
) -> None:
    assert is_stale(current, incoming) is stale


# ---- next_action_state -------------------------------------------------------------


def test_a_new_action_starts_and_ends_at_its_position_neither_removed_nor_restored() -> None:
    state = next_action_state(None, packet(), 7)
    assert state == {
        **action_fields(GOAL),
        "removed": False,
        "restored": False,
        "first_position": 7,
        "last_position": 7,
    }


def test_a_state_has_every_column_the_writer_stores_and_no_other() -> None:
    assert set(next_action_state(None, packet(), 0)) == set(ACTION_STATE_FIELDS)


def test_a_newer_version_replaces_the_fields_and_keeps_the_first_position() -> None:
    pending = next_action_state(None, version(10, "Pending"), 3)
    confirmed = next_action_state(pending, version(12, "Confirmed", clock_time="23:14"), 8)
    assert (confirmed["send_type"], confirmed["fixture_seq_num"]) == ("Confirmed", 12)
    assert confirmed["clock_time"] == "23:14"
    assert (confirmed["first_position"], confirmed["last_position"]) == (3, 8)


def test_an_update_can_change_what_the_action_is() -> None:
    yellow = next_action_state(None, version(10, "Confirmed", type_id=107, type_name="Yellow"), 0)
    red = next_action_state(yellow, version(11, "Updated", type_id=108, type_name="Red"), 1)
    assert (red["type_id"], red["type_name"]) == (108, "Red")
    assert not red["removed"] and not red["restored"]


def test_an_older_version_arriving_late_changes_nothing_but_the_last_position() -> None:
    newer = next_action_state(None, version(12, "Confirmed", clock_time="23:14"), 4)
    late = next_action_state(newer, version(11, "Pending", clock_time="23:12"), 9)
    assert late == {**newer, "last_position": 9}


def test_an_older_removal_arriving_late_does_not_remove() -> None:
    confirmed = next_action_state(None, version(12, "Confirmed"), 4)
    late = next_action_state(confirmed, thin(11, "Cancelled"), 5)
    assert not late["removed"]
    assert late["send_type"] == "Confirmed"


def test_a_version_without_a_sequence_number_is_applied() -> None:
    confirmed = next_action_state(None, version(12, "Confirmed"), 4)
    unnumbered = next_action_state(confirmed, version(None, "Updated"), 5)
    assert (unnumbered["send_type"], unnumbered["fixture_seq_num"]) == ("Updated", None)


@pytest.mark.parametrize("send_type", ["Cancelled", "Deleted"])
def test_a_thin_removal_keeps_what_the_action_was(send_type: str) -> None:
    """The struck-through row must still say whose goal it was."""
    confirmed = next_action_state(None, version(10, "Confirmed"), 2)
    removed = next_action_state(confirmed, thin(11, send_type), 6)
    assert removed["removed"] and not removed["restored"]
    kept = ["type_id", "type_name", "subtype_id", "subtype_name", "team_id", "team_name"]
    kept += ["team_is_home", "player_id", "player_name", "metadata"]
    assert {name: removed[name] for name in kept} == {name: confirmed[name] for name in kept}
    # What the removal itself says is taken from it.
    assert (removed["send_type"], removed["fixture_seq_num"]) == (send_type, 11)
    assert (removed["first_position"], removed["last_position"]) == (2, 6)
    # ...including the fields that do not describe the action: they are the removal's.
    assert (removed["clock_time"], removed["period"], removed["related_action_ids"]) == (
        "",
        None,
        [],
    )


def test_a_removal_that_says_what_it_removes_is_taken_at_its_word() -> None:
    confirmed = next_action_state(None, version(10, "Confirmed"), 0)
    removal = version(
        11, "Deleted", player_name="B. Defender", team_is_home=False, metadata={"a": 1}
    )
    removed = next_action_state(confirmed, removal, 1)
    assert (removed["player_name"], removed["team_is_home"]) == ("B. Defender", False)
    assert removed["metadata"] == {"a": 1}


def test_a_removal_keeps_only_the_fields_it_lacks() -> None:
    confirmed = next_action_state(None, version(10, "Confirmed"), 0)
    removal = replace(thin(11, "Cancelled").action, type_name="Goal (annulled)", player_id="p-2")
    removed = next_action_state(confirmed, packet(removal), 1)
    assert (removed["type_name"], removed["player_id"]) == ("Goal (annulled)", "p-2")
    assert (removed["type_id"], removed["player_name"]) == (100, "A. Striker")


def test_a_removal_of_an_action_never_seen_has_nothing_to_keep() -> None:
    removed = next_action_state(None, thin(4, "Deleted"), 0)
    assert removed["removed"] and not removed["restored"]
    assert (removed["type_id"], removed["team_name"], removed["metadata"]) == (None, "", {})


def test_only_removals_borrow_the_previous_fields() -> None:
    confirmed = next_action_state(None, version(10, "Confirmed"), 0)
    bare_update = packet(ParsedAction(action_id=ACTION_ID, send_type="Updated", fixture_seq_num=11))
    updated = next_action_state(confirmed, bare_update, 1)
    assert (updated["type_id"], updated["team_name"], updated["player_name"]) == (None, "", "")


@pytest.mark.parametrize("revival", ["Updated", "Confirmed"])
def test_a_removed_action_sent_again_is_restored(revival: str) -> None:
    confirmed = next_action_state(None, version(10, "Confirmed"), 0)
    deleted = next_action_state(confirmed, thin(11, "Deleted"), 1)
    restored = next_action_state(deleted, version(12, revival), 2)
    assert not restored["removed"] and restored["restored"]
    assert restored["send_type"] == revival


def test_a_restored_action_stays_restored_until_it_is_removed_again() -> None:
    state = next_action_state(None, version(10, "Confirmed"), 0)
    state = next_action_state(state, thin(11, "Deleted"), 1)
    state = next_action_state(state, version(12, "Updated"), 2)
    state = next_action_state(state, version(13, "Updated", clock_time="24:00"), 3)
    assert state["restored"] and not state["removed"]
    state = next_action_state(state, thin(14, "Deleted"), 4)
    assert state["removed"] and not state["restored"]


def test_a_late_older_version_neither_restores_nor_removes() -> None:
    state = next_action_state(None, version(10, "Confirmed"), 0)
    state = next_action_state(state, thin(12, "Deleted"), 1)
    late = next_action_state(state, version(11, "Updated"), 2)
    assert late["removed"] and not late["restored"]


def test_a_pending_action_that_never_was_removed_is_not_restored() -> None:
    pending = next_action_state(None, version(10, "Pending"), 0)
    confirmed = next_action_state(pending, version(11, "Confirmed"), 1)
    assert not confirmed["restored"]


# ---- summary_fields and period_payload ---------------------------------------------

FIRST_HALF = ParsedPeriod(
    id=1,
    label="1st half",
    type="Regular",
    start=KICKOFF,
    end=KICKOFF + dt.timedelta(minutes=47),
    home_score=1,
    away_score=0,
    home_period_score=1,
    away_period_score=0,
)


def test_a_period_is_stored_with_its_times_as_iso_text() -> None:
    assert period_payload(FIRST_HALF) == {
        "id": 1,
        "label": "1st half",
        "type": "Regular",
        "start": "2026-11-24T15:00:00+00:00",
        "end": "2026-11-24T15:47:00+00:00",
        "home_score": 1,
        "away_score": 0,
        "home_period_score": 1,
        "away_period_score": 0,
    }


def test_a_period_under_way_has_no_end() -> None:
    second_half = ParsedPeriod(id=2, label="2nd half", start=KICKOFF + dt.timedelta(hours=1))
    payload = period_payload(second_half)
    assert (payload["start"], payload["end"]) == ("2026-11-24T16:00:00+00:00", None)
    assert payload["home_score"] is None


def test_summary_fields_are_the_fixture_columns_of_a_summary() -> None:
    summary = ParsedSummary(
        home_score=2,
        away_score=1,
        periods=(FIRST_HALF,),
        current_period=2,
        current_status="Live",
        collection_status="CollectingLive",
        clock_time="61:02",
        clock_state="running",
        home_in_possession=True,
        is_tied=False,
        finished=False,
    )
    assert summary_fields(summary) == {
        "home_score": 2,
        "away_score": 1,
        "current_period": 2,
        "status": "Live",
        "collection_status": "CollectingLive",
        "clock_time": "61:02",
        "clock_state": "running",
        "home_in_possession": True,
        "periods": [period_payload(FIRST_HALF)],
    }


def test_what_a_summary_lacks_is_left_out_rather_than_cleared() -> None:
    assert summary_fields(ParsedSummary(away_score=3)) == {"away_score": 3}
    assert summary_fields(ParsedSummary()) == {}


def test_a_nil_nil_score_and_the_away_side_in_possession_are_values_not_gaps() -> None:
    fields = summary_fields(ParsedSummary(home_score=0, away_score=0, home_in_possession=False))
    assert fields == {"home_score": 0, "away_score": 0, "home_in_possession": False}


def test_the_summary_from_the_wire_is_read_whatever_the_spelling() -> None:
    summary = wire(
        {"sendType": "Confirmed"},
        {
            "homeTeamScore": "1",
            "currentStatus": "live",
            "currentClockState": "Running",
            "isHomeTeamInPossession": False,  # the object page's spelling, not the wire's
        },
    ).summary
    assert summary is not None
    assert summary_fields(summary) == {
        "home_score": 1,
        "status": "Live",
        "clock_state": "running",
        "home_in_possession": False,
    }


# ---- fixture_fields ----------------------------------------------------------------


def test_fixture_fields_carry_the_summary() -> None:
    summary = ParsedSummary(home_score=1, away_score=0, current_status="Live")
    assert fixture_fields(packet(summary=summary)) == summary_fields(summary)


def test_a_packet_without_a_summary_says_nothing_about_the_fixture() -> None:
    assert fixture_fields(packet()) == {}


@pytest.mark.parametrize("type_id", [17, 4711, None])
def test_team_colours_come_from_their_metadata_keys_whatever_the_type(type_id: int | None) -> None:
    colours = replace(
        GOAL,
        type_id=type_id,
        type_name="Farben",
        metadata={"HomeTeamColour": "255,0,0", "AwayTeamColour": "0,0,255"},
    )
    assert fixture_fields(packet(colours)) == {"home_colour": "255,0,0", "away_colour": "0,0,255"}


def test_metadata_keys_are_matched_ignoring_case() -> None:
    colours = wire(
        {
            "sendType": "Confirmed",
            "fixtureActionTypeId": 99,
            "metadata": {"homeTeamColour": "1,2,3", "AWAYTEAMCOLOUR": "4,5,6"},
        }
    )
    assert fixture_fields(colours) == {"home_colour": "1,2,3", "away_colour": "4,5,6"}


def test_one_side_s_colour_alone_sets_that_side_only() -> None:
    home_only = replace(GOAL, metadata={"HomeTeamColour": "9,9,9", "AwayTeamColour": ""})
    assert fixture_fields(packet(home_only)) == {"home_colour": "9,9,9"}


def test_a_colour_that_is_not_text_is_stored_as_text() -> None:
    odd = replace(GOAL, metadata={"HomeTeamColour": 16711680})
    assert fixture_fields(packet(odd)) == {"home_colour": "16711680"}


@pytest.mark.parametrize(
    ("sent", "stored"),
    [
        ("In Venue", "In Venue"),
        (1, "In Venue"),
        ("3", "Standard stream"),
        ("low latency stream", "Low Latency Stream"),
        (0, "No Coverage"),
        (42, "42"),  # an id not in the list is kept as its digits
        ("Drone", "Drone"),  # and a name not in the list as sent
    ],
)
def test_coverage_comes_from_the_coverage_level_key_whatever_the_type(
    sent: object, stored: str
) -> None:
    status = replace(
        GOAL, type_id=888, type_name="Status Updated", metadata={"coverageLevel": sent}
    )
    assert fixture_fields(packet(status)) == {"coverage_level": stored}


@pytest.mark.parametrize("sent", [None, "", "   "])
def test_no_usable_coverage_level_leaves_the_coverage_alone(sent: object) -> None:
    status = replace(GOAL, metadata={"coverageLevel": sent})
    assert fixture_fields(packet(status)) == {}


@pytest.mark.parametrize("send_type", ["Cancelled", "Deleted"])
def test_a_removed_action_s_colours_and_coverage_are_not_taken(send_type: str) -> None:
    metadata = {"HomeTeamColour": "1,1,1", "AwayTeamColour": "2,2,2", "coverageLevel": 1}
    removal = replace(GOAL, send_type=send_type, metadata=metadata)
    assert fixture_fields(packet(removal)) == {}


def test_a_finished_packet_finishes_the_fixture() -> None:
    assert fixture_fields(packet(finished=True)) == {"finished": True}


def test_an_unfinished_packet_never_unfinishes_the_fixture() -> None:
    assert "finished" not in fixture_fields(packet(finished=False))


@pytest.mark.parametrize(
    "ending",
    [{"finished": True}, {"summary": {"finished": True}}],
    ids=["the packet's flag", "the summary's flag"],
)
def test_either_flag_on_the_wire_finishes_the_fixture(ending: dict[str, Any]) -> None:
    summary = ending.get("summary")
    top = {key: value for key, value in ending.items() if key != "summary"}
    assert fixture_fields(wire({"sendType": "Confirmed"}, summary, **top))["finished"] is True


def test_everything_at_once_names_only_feed_fields_of_the_fixture_table() -> None:
    metadata = {"HomeTeamColour": "1,1,1", "AwayTeamColour": "2,2,2", "coverageLevel": 2}
    everything = packet(
        replace(GOAL, metadata=metadata),
        ParsedSummary(
            home_score=1, away_score=1, periods=(FIRST_HALF,), current_period=1,
            current_status="Live", collection_status="CollectingLive", clock_time="12:00",
            clock_state="running", home_in_possession=True,
        ),
        finished=True,
    )  # fmt: skip
    fields = fixture_fields(everything)
    assert set(fields) == set(FEED_FIXTURE_FIELDS)
    assert set(FEED_FIXTURE_FIELDS) <= {field.name for field in Fixture._meta.concrete_fields}
