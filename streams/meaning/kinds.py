"""The closed list of action kinds, and the kind a wire name gives on first sight.

The vendor documents only a few soccer type ids (docs/dde-protocol.md §7), so nothing in the
product recognises an action by its id: the catalogue (``streams.catalogue``) maps each id
seen on the feed to one of these kinds, first from its wire name, then as staff correct it.
"""

from __future__ import annotations

from collections.abc import Mapping

from django.db import models

from streams.dde.values import fold as fold  # the feed's one way to compare names


class ActionKind(models.TextChoices):
    """What an action type means to the product; docs/action-types.md lists them."""

    GOAL = "goal"
    PENALTY_AWARDED = "penalty_awarded"
    SHOOTOUT_KICK = "shootout_kick"
    SHOT_ON_TARGET = "shot_on_target"
    SHOT_OFF_TARGET = "shot_off_target"
    CORNER = "corner"
    FREE_KICK = "free_kick"
    FOUL = "foul"
    OFFSIDE = "offside"
    YELLOW_CARD = "yellow_card"
    RED_CARD = "red_card"
    SUBSTITUTION_ON = "substitution_on", "Substitution on"
    SUBSTITUTION_OFF = "substitution_off", "Substitution off"
    POSSIBLE_VIDEO_CHECK = "possible_video_check"
    VIDEO_CHECK_STARTED = "video_check_started"
    VIDEO_CHECK_OVER = "video_check_over"
    GOAL_DISALLOWED = "goal_disallowed"
    DANGEROUS_ATTACK = "dangerous_attack"
    POSSESSION = "possession"
    THROW_IN = "throw_in"
    GOAL_KICK = "goal_kick"
    KICK_OFF = "kick_off"
    # Period, clock and match control, one kind each: the clock follows them.
    START_MATCH = "start_match"
    END_MATCH = "end_match"
    START_PERIOD = "start_period"
    END_PERIOD = "end_period"
    START_CLOCK = "start_clock"
    STOP_CLOCK = "stop_clock"
    ADJUST_CLOCK = "adjust_clock"
    STATUS_UPDATE = "status_update"
    LINEUPS = "lineups"
    TEAM_COLOURS = "team_colours"
    MATCH_CONDITIONS = "match_conditions"
    TEMPORARY_DISMISSAL = "temporary_dismissal"
    TEMPORARY_DISMISSAL_OVER = "temporary_dismissal_over"
    OTHER = "other"


K = ActionKind

# Wire names by kind: the names our simulator sends (docs/action-types.md), the names the
# vendor's pages use, and their synonyms ("Video Check Started" in the 2022 feed, "Video
# Check Underway" since). Compared with case, spaces and punctuation ignored.
NAMES: Mapping[ActionKind, tuple[str, ...]] = {
    K.GOAL: ("Goal", "Goal Scored"),
    K.PENALTY_AWARDED: ("Penalty Awarded", "Penalty", "Penalty Kick Awarded"),
    K.SHOOTOUT_KICK: (
        "Shootout Penalty", "Shootout Kick", "Penalty Shootout Kick", "Shootout Attempt",
    ),
    K.SHOT_ON_TARGET: ("Shot On Target", "Shot On Goal"),
    K.SHOT_OFF_TARGET: ("Shot Off Target", "Shot Off Goal", "Shot Wide"),
    K.CORNER: ("Corner", "Corner Kick", "Corner Awarded"),
    K.FREE_KICK: ("Free Kick", "Free Kick Awarded"),
    K.FOUL: ("Foul", "Foul Committed"),
    K.OFFSIDE: ("Offside", "Offsides"),
    K.YELLOW_CARD: ("Yellow Card", "Caution", "Booking"),
    K.RED_CARD: ("Red Card", "Dismissal", "Sending Off", "Second Yellow Card"),
    K.SUBSTITUTION_ON: ("Substitution In", "Substitution On", "Sub In", "Player On"),
    K.SUBSTITUTION_OFF: ("Substitution Out", "Substitution Off", "Sub Out", "Player Off"),
    K.POSSIBLE_VIDEO_CHECK: ("Possible Video Check", "Possible VAR", "Possible VAR Check"),
    K.VIDEO_CHECK_STARTED: (
        "Video Check Started", "Video Check Underway", "VAR Check Started", "VAR Check Underway",
    ),
    K.VIDEO_CHECK_OVER: (
        "Video Check Over", "Video Check Ended", "Video Check Complete", "VAR Check Over",
    ),
    K.GOAL_DISALLOWED: ("Goal Disallowed", "Disallowed Goal", "No Goal"),
    K.DANGEROUS_ATTACK: ("Dangerous Attack",),
    K.POSSESSION: ("Possession Gained", "Possession", "Ball Possession"),
    K.THROW_IN: ("Throw In",),
    K.GOAL_KICK: ("Goal Kick",),
    K.KICK_OFF: ("Kick Off",),
    K.START_MATCH: ("Start Match", "Match Start", "Match Started"),
    K.END_MATCH: ("End Match", "Match End", "Match Ended"),
    K.START_PERIOD: ("Start Period", "Period Start", "Period Started"),
    K.END_PERIOD: ("End Period", "Period End", "Period Ended"),
    K.START_CLOCK: ("Start Clock", "Clock Start", "Clock Started"),
    K.STOP_CLOCK: ("Stop Clock", "Clock Stop", "Clock Stopped"),
    K.ADJUST_CLOCK: ("Adjust Clock", "Clock Adjusted", "Clock Adjustment"),
    K.STATUS_UPDATE: ("Status Updated", "Status Update"),
    K.LINEUPS: ("Lineups", "Lineup", "Team Lineups", "Starting Lineups"),
    K.TEAM_COLOURS: ("Team Colours", "Team Colors", "Kit Colours", "Kit Colors"),
    K.MATCH_CONDITIONS: ("Match Conditions", "Conditions", "Weather"),
    K.TEMPORARY_DISMISSAL: ("Temporary Dismissal", "Sin Bin"),
    K.TEMPORARY_DISMISSAL_OVER: ("Temporary Dismissal Over", "Temporary Dismissal Ended"),
}  # fmt: skip

_BY_FOLDED: dict[str, ActionKind] = {
    fold(name): kind for kind, names in NAMES.items() for name in names
}


def kind_from_name(name: str | None) -> ActionKind:
    """The kind a wire name gives on first sight; OTHER for a name nobody listed."""
    return _BY_FOLDED.get(fold(name or ""), ActionKind.OTHER)
