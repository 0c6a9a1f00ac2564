"""The single table of soccer action types and sub-types the simulator sends."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Final, Literal

# Where an id comes from: the vendor's soccer pages, the DDE table shared across
# sports (docs/dde-protocol.md §7.2), chosen here because the vendor's soccer table is
# lost, or invented on demand as a type nobody knows (invented.py, never in this table).
Source = Literal["soccer", "shared", "chosen", "invented"]


@dataclass(frozen=True)
class ActionType:
    """One action type, where its id comes from, and its sub-types by id."""

    id: int
    name: str
    source: Source
    sub_types: dict[int, str] = field(default_factory=dict)


# Ids the vendor documents keep their documented numbers (docs/dde-protocol.md §7.1, §7.2);
# the rest were chosen once here. Sub-type ids follow typeId * 100 + n (§7.1).
MATCH_CONDITIONS: Final = 1
TEAM_COLOURS: Final = 2
LINEUPS: Final = 3
START_MATCH: Final = 4
END_MATCH: Final = 5
START_PERIOD: Final = 6
END_PERIOD: Final = 7
START_CLOCK: Final = 8
STOP_CLOCK: Final = 9
ADJUST_CLOCK: Final = 10
SUBSTITUTION_IN: Final = 13
SUBSTITUTION_OUT: Final = 14
POSSESSION_GAINED: Final = 15
STATUS_UPDATED: Final = 22
VIDEO_CHECK_UNDERWAY: Final = 51
VIDEO_CHECK_OVER: Final = 52
POSSIBLE_VIDEO_CHECK: Final = 64
GOAL: Final = 100
SHOT_ON_TARGET: Final = 101
SHOT_OFF_TARGET: Final = 102
CORNER: Final = 103
FREE_KICK: Final = 104
OFFSIDE: Final = 105
PENALTY_AWARDED: Final = 106
YELLOW_CARD: Final = 107
RED_CARD: Final = 108
FOUL: Final = 109
DANGEROUS_ATTACK: Final = 110
GOAL_DISALLOWED: Final = 111
THROW_IN: Final = 112
GOAL_KICK: Final = 113
SHOOTOUT_PENALTY: Final = 114
KICK_OFF: Final = 115
TEMPORARY_DISMISSAL: Final = 133
TEMPORARY_DISMISSAL_OVER: Final = 134

# Sub-types the generator refers to by name.
VAR_GOAL: Final = 5101
VAR_PENALTY: Final = 5102
VAR_POTENTIAL_RED_CARD: Final = 5103
VAR_OTHER: Final = 5104
VAR_DECISION_STANDS: Final = 5201
VAR_DECISION_OVERTURNED: Final = 5202
GOAL_INSIDE_BOX: Final = 10001
GOAL_OUTSIDE_BOX: Final = 10002
GOAL_PENALTY: Final = 10003
GOAL_OWN_GOAL: Final = 10004
GOAL_HEADER: Final = 10005
PENALTY_FOUL: Final = 10601
PENALTY_HANDBALL: Final = 10602
YELLOW_FOUL: Final = 10701
YELLOW_DISSENT: Final = 10702
YELLOW_TIME_WASTING: Final = 10703
YELLOW_UNSPORTING: Final = 10704
RED_STRAIGHT: Final = 10801
RED_SECOND_YELLOW: Final = 10802
DISALLOWED_OFFSIDE: Final = 11101
DISALLOWED_FOUL: Final = 11102
DISALLOWED_HANDBALL: Final = 11103
SHOOTOUT_SCORED: Final = 11401
SHOOTOUT_MISSED: Final = 11402
SHOOTOUT_SAVED: Final = 11403

_TYPES: Final = (
    ActionType(MATCH_CONDITIONS, "Match Conditions", "shared"),
    ActionType(TEAM_COLOURS, "Team Colours", "soccer"),
    ActionType(LINEUPS, "Lineups", "shared"),
    ActionType(START_MATCH, "Start Match", "shared"),
    ActionType(END_MATCH, "End Match", "shared"),
    ActionType(START_PERIOD, "Start Period", "soccer"),
    ActionType(END_PERIOD, "End Period", "shared"),
    ActionType(START_CLOCK, "Start Clock", "shared"),
    ActionType(STOP_CLOCK, "Stop Clock", "shared"),
    ActionType(ADJUST_CLOCK, "Adjust Clock", "shared"),
    ActionType(SUBSTITUTION_IN, "Substitution In", "shared"),
    ActionType(SUBSTITUTION_OUT, "Substitution Out", "shared"),
    ActionType(POSSESSION_GAINED, "Possession Gained", "shared"),
    ActionType(STATUS_UPDATED, "Status Updated", "soccer"),
    ActionType(
        VIDEO_CHECK_UNDERWAY,
        "Video Check Underway",
        "soccer",
        {
            VAR_GOAL: "Goal",
            VAR_PENALTY: "Penalty",
            VAR_POTENTIAL_RED_CARD: "Potential Red Card",
            VAR_OTHER: "Other",
        },
    ),
    ActionType(
        VIDEO_CHECK_OVER,
        "Video Check Over",
        "chosen",
        {VAR_DECISION_STANDS: "Decision Stands", VAR_DECISION_OVERTURNED: "Decision Overturned"},
    ),
    ActionType(POSSIBLE_VIDEO_CHECK, "Possible Video Check", "soccer"),
    ActionType(
        GOAL,
        "Goal",
        "chosen",
        {
            GOAL_INSIDE_BOX: "Inside Box",
            GOAL_OUTSIDE_BOX: "Outside Box",
            GOAL_PENALTY: "Penalty",
            GOAL_OWN_GOAL: "Own Goal",
            GOAL_HEADER: "Header",
        },
    ),
    ActionType(SHOT_ON_TARGET, "Shot On Target", "chosen"),
    ActionType(SHOT_OFF_TARGET, "Shot Off Target", "chosen"),
    ActionType(CORNER, "Corner", "chosen"),
    ActionType(FREE_KICK, "Free Kick", "chosen"),
    ActionType(OFFSIDE, "Offside", "chosen"),
    ActionType(
        PENALTY_AWARDED,
        "Penalty Awarded",
        "soccer",
        {PENALTY_FOUL: "Foul", PENALTY_HANDBALL: "Handball"},
    ),
    ActionType(
        YELLOW_CARD,
        "Yellow Card",
        "soccer",
        {
            YELLOW_FOUL: "Foul",
            YELLOW_DISSENT: "Dissent",
            YELLOW_TIME_WASTING: "Time Wasting",
            YELLOW_UNSPORTING: "Unsporting Behaviour",
        },
    ),
    ActionType(
        RED_CARD,
        "Red Card",
        "chosen",
        {RED_STRAIGHT: "Straight Red", RED_SECOND_YELLOW: "Second Yellow"},
    ),
    ActionType(FOUL, "Foul", "chosen"),
    ActionType(DANGEROUS_ATTACK, "Dangerous Attack", "chosen"),
    ActionType(
        GOAL_DISALLOWED,
        "Goal Disallowed",
        "chosen",
        {DISALLOWED_OFFSIDE: "Offside", DISALLOWED_FOUL: "Foul", DISALLOWED_HANDBALL: "Handball"},
    ),
    ActionType(THROW_IN, "Throw In", "chosen"),
    ActionType(GOAL_KICK, "Goal Kick", "chosen"),
    ActionType(
        SHOOTOUT_PENALTY,
        "Shootout Penalty",
        "chosen",
        {SHOOTOUT_SCORED: "Scored", SHOOTOUT_MISSED: "Missed", SHOOTOUT_SAVED: "Saved"},
    ),
    ActionType(KICK_OFF, "Kick Off", "chosen"),
    ActionType(TEMPORARY_DISMISSAL, "Temporary Dismissal", "soccer"),
    ActionType(TEMPORARY_DISMISSAL_OVER, "Temporary Dismissal Over", "soccer"),
)

ACTION_TYPES: Final[dict[int, ActionType]] = {action.id: action for action in _TYPES}


def type_name(type_id: int) -> str:
    """The wire name of an action type id."""
    return ACTION_TYPES[type_id].name


def sub_type_name(sub_type_id: int) -> str:
    """The wire name of a sub-type id (its type is ``sub_type_id // 100``)."""
    return ACTION_TYPES[sub_type_id // 100].sub_types[sub_type_id]
