"""How much of each thing one team does in one match: the ranges a generated match obeys.

The ranges are rounded envelopes of what teams record in real top-flight matches; their
sources are in docs/simulator.md ("How realistic"). The generator's rates aim at the
middle of them and ``match.play_match`` replays a match from a new seed in the rare case
a count still falls outside (so every match obeys them, deterministically per id).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Final, Literal

from streams.simulator import catalog as ct
from streams.simulator.script import Action, Script, SendType

Stat = Literal[
    "fouls",
    "offsides",
    "corners",
    "shots",
    "shots_on_target",
    "yellow_cards",
    "red_cards",
    "substitutions",
]


@dataclass(frozen=True)
class Span:
    """Inclusive bounds of one team's count in one match."""

    low: int
    high: int

    def __contains__(self, count: object) -> bool:
        return isinstance(count, int) and self.low <= count <= self.high

    def __str__(self) -> str:
        return f"{self.low}–{self.high}"


PER_TEAM: Final[dict[Stat, Span]] = {
    "fouls": Span(4, 22),
    "offsides": Span(0, 7),
    "corners": Span(0, 13),
    "shots": Span(2, 28),
    "shots_on_target": Span(0, 12),
    "yellow_cards": Span(0, 6),
    "red_cards": Span(0, 2),
    "substitutions": Span(0, 5),
}
# Substitutions come from half-time on, except at most this many injury changes per
# team in the first half; a player who came on never goes off again.
FIRST_HALF_SUBSTITUTIONS: Final = 1

# What each standing action adds to its team's counts. A goal is a shot on target, as
# in the football-data.co.uk columns (HS/HST include goals); an own goal is not a shot
# by the team it counts for. Shootout kicks are not counted (nor are they in the data).
_STATS: Final[dict[int, tuple[Stat, ...]]] = {
    ct.FOUL: ("fouls",),
    ct.OFFSIDE: ("offsides",),
    ct.CORNER: ("corners",),
    ct.SHOT_ON_TARGET: ("shots", "shots_on_target"),
    ct.SHOT_OFF_TARGET: ("shots",),
    ct.GOAL: ("shots", "shots_on_target"),
    ct.YELLOW_CARD: ("yellow_cards",),
    ct.RED_CARD: ("red_cards",),
    ct.SUBSTITUTION_IN: ("substitutions",),
}
_WITHDRAWN: Final = (SendType.Cancelled, SendType.Deleted)


def standing_actions(script: Script) -> list[Action]:
    """The last version of every action that was not cancelled or deleted in the end."""
    last: dict[object, tuple[Action, SendType]] = {}
    for emission in script.ordered():
        last[emission.action.id] = (emission.action, emission.send_type)
    return [action for action, send_type in last.values() if send_type not in _WITHDRAWN]


def team_counts(actions: Iterable[Action]) -> dict[bool, Counter[Stat]]:
    """Counts per team (True: home) of standing actions, as ``PER_TEAM`` names them."""
    counts: dict[bool, Counter[Stat]] = {True: Counter(), False: Counter()}
    for action in actions:
        if action.home is None or action.sub_type == ct.GOAL_OWN_GOAL:
            continue
        counts[action.home].update(_STATS.get(action.type_id, ()))
    return counts


def out_of_range(counts: dict[bool, Counter[Stat]]) -> list[str]:
    """Each count outside ``PER_TEAM``, as "home fouls 25 (not 4–22)"; empty when all fit."""
    return [
        f"{'home' if home else 'away'} {stat} {counts[home][stat]} (not {span})"
        for home in (True, False)
        for stat, span in PER_TEAM.items()
        if counts[home][stat] not in span
    ]
