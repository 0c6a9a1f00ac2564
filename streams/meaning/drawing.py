"""How each kind is drawn: its icon, whether it is a key event, what the stats count."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Final, TypedDict

from streams.meaning.kinds import ActionKind

K = ActionKind

# The icon of each kind (an ``#i-...`` symbol of templates/streams/icons.html).
ICONS: Final[Mapping[ActionKind, str]] = {
    K.GOAL: "goal",
    K.PENALTY_AWARDED: "penalty",
    K.SHOOTOUT_KICK: "shootout",
    K.SHOT_ON_TARGET: "shot-on",
    K.SHOT_OFF_TARGET: "shot-off",
    K.CORNER: "corner",
    K.FREE_KICK: "free-kick",
    K.FOUL: "foul",
    K.OFFSIDE: "offside",
    K.YELLOW_CARD: "yellow",
    K.RED_CARD: "red",
    K.SUBSTITUTION_ON: "sub",
    K.SUBSTITUTION_OFF: "sub",
    K.POSSIBLE_VIDEO_CHECK: "var",
    K.VIDEO_CHECK_STARTED: "var",
    K.VIDEO_CHECK_OVER: "var",
    K.GOAL_DISALLOWED: "disallowed",
    K.DANGEROUS_ATTACK: "attack",
    K.POSSESSION: "possession",
    K.THROW_IN: "restart",
    K.GOAL_KICK: "restart",
    K.KICK_OFF: "restart",
    K.START_MATCH: "whistle",
    K.END_MATCH: "whistle",
    K.START_PERIOD: "whistle",
    K.END_PERIOD: "whistle",
    K.START_CLOCK: "clock",
    K.STOP_CLOCK: "clock",
    K.ADJUST_CLOCK: "clock",
    K.STATUS_UPDATE: "info",
    K.LINEUPS: "lineup",
    K.TEAM_COLOURS: "colours",
    K.MATCH_CONDITIONS: "info",
    K.TEMPORARY_DISMISSAL: "yellow",
    K.TEMPORARY_DISMISSAL_OVER: "yellow",
    K.OTHER: "other",
}

# What the "Key events" view shows: what changes a match, and the reviews that may.
KEY_KINDS: Final = frozenset(
    {
        K.GOAL, K.PENALTY_AWARDED, K.SHOOTOUT_KICK, K.YELLOW_CARD, K.RED_CARD,
        K.SUBSTITUTION_ON, K.SUBSTITUTION_OFF, K.POSSIBLE_VIDEO_CHECK, K.VIDEO_CHECK_STARTED,
        K.VIDEO_CHECK_OVER, K.GOAL_DISALLOWED, K.TEMPORARY_DISMISSAL,
        K.TEMPORARY_DISMISSAL_OVER,
    }
)  # fmt: skip

# Reviews: a removal between an action and a review of its team was decided on review.
VIDEO_CHECK_KINDS: Final = frozenset({K.VIDEO_CHECK_STARTED, K.VIDEO_CHECK_OVER})


class MomentumRules(TypedDict):
    """What the momentum graph counts (static/streams/momentum.js): each kind's weight in a
    side's pressure per minute, and the kind marked on it as a goal."""

    weights: dict[str, int]  # kind -> pressure it adds to its side's minute
    goal: str  # the kind drawn as a goal marker


class StatsRules(TypedDict):
    """What the browser counts live (it runs the clock that possession needs), sent to it
    with the page so that the rule is written once: ``static/streams/centre.js`` reads it."""

    counts: list[tuple[str, str]]  # (label, kind counted per team)
    possession: str  # the kind whose actions hand possession over
    end_period: str  # the kind that closes a period's possession time
    momentum: MomentumRules  # the momentum graph's weights and goal marker


STATS_RULES: Final[StatsRules] = {
    "counts": [
        ("Shots on target", K.SHOT_ON_TARGET.value),
        ("Shots off target", K.SHOT_OFF_TARGET.value),
        ("Corners", K.CORNER.value),
        ("Fouls", K.FOUL.value),
        ("Offsides", K.OFFSIDE.value),
        ("Yellow cards", K.YELLOW_CARD.value),
        ("Red cards", K.RED_CARD.value),
    ],
    "possession": K.POSSESSION.value,
    "end_period": K.END_PERIOD.value,
    # A shot on target threatens most, a dangerous attack least; a corner or a shot off
    # target in between (docs/live-protocol.md "Momentum" says the same to readers).
    "momentum": {
        "weights": {
            K.DANGEROUS_ATTACK.value: 1,
            K.SHOT_OFF_TARGET.value: 2,
            K.CORNER.value: 2,
            K.SHOT_ON_TARGET.value: 3,
        },
        "goal": K.GOAL.value,
    },
}

# What the match clock follows (clock.js ``MatchClock``): start, stop and correct.
CLOCK_KINDS: Final = {
    "start": K.START_CLOCK.value,
    "stop": K.STOP_CLOCK.value,
    "adjust": K.ADJUST_CLOCK.value,
}
