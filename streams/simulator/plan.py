"""What a match will contain, decided up front from the fixture's random stream."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from typing import Final, Literal

Incident = Literal[
    "goal",
    "own_goal",
    "penalty_goal",
    "restored_goal",
    "cancelled_goal",
    "disallowed_goal",
    "penalty_missed",
    "penalty_cancelled",
    "penalty_overturned",
    "yellow",
    "yellow_corrected",
    "card_upgrade",
    "second_yellow",
    "straight_red",
    "var_check",
    "substitution",
    "double_substitution",
    "injury_substitution",
    "adjust_clock",
    "suspension",
]

# Minute slots two minutes apart, away from kick-off and the end of each half, so
# an incident's whole sequence (a VAR review takes minutes) fits in its half.
_SLOTS: Final = {1: list(range(3, 42, 2)), 2: list(range(47, 86, 2))}
_LATE_SLOTS: Final = list(range(55, 86, 2))
_GOALS: Final = (0, 0, 1, 1, 1, 2, 2, 2, 3, 4)
# Changes a team makes in a match (five allowed, most teams use four or five), in at most
# three stoppages of the second half; sometimes one of them is an injury in the first.
_CHANGES: Final = (2, 3, 3, 4, 4, 4, 5, 5, 5, 5)
_WINDOWS: Final = 3
_FIRST_HALF_INJURY: Final = 0.15


@dataclass(frozen=True)
class Planned:
    """An incident due at a clock second, for one team."""

    clock: int
    incident: Incident
    home: bool


@dataclass
class MatchPlan:
    """The match's features (exposed as flags on ``Match``) and its timed incidents."""

    has_shootout: bool
    has_suspension: bool
    has_disallowed_goal: bool
    has_restored_goal: bool
    has_card_upgrade: bool
    has_penalty_overturned: bool
    stoppage: dict[int, int]
    incidents: dict[int, list[Planned]] = field(default_factory=lambda: {1: [], 2: []})


def _goal_kinds(rng: random.Random, count: int, restored_first: bool) -> list[Incident]:
    kinds: list[Incident] = []
    for _ in range(count):
        roll = rng.random()
        kinds.append("penalty_goal" if roll < 0.12 else "own_goal" if roll < 0.18 else "goal")
    if restored_first and kinds:
        kinds[0] = "restored_goal"
    return kinds


def _wanted(rng: random.Random, plan: MatchPlan) -> list[tuple[Incident, bool]]:
    """Every incident of the match with its team, before it gets a time."""
    home_goals = rng.choice(_GOALS)
    away_goals = home_goals if plan.has_shootout else rng.choice(_GOALS)
    wanted: list[tuple[Incident, bool]] = []
    for home, count in ((True, home_goals), (False, away_goals)):
        restored = plan.has_restored_goal and home == (home_goals >= away_goals)
        wanted += [(kind, home) for kind in _goal_kinds(rng, count, restored)]
    if plan.has_restored_goal and not home_goals + away_goals:
        wanted.append(("restored_goal", True))
        wanted.append(("restored_goal", False))  # keeps a planned level score level

    def side() -> bool:
        return rng.random() < 0.5

    wanted.append(("cancelled_goal", side()))
    wanted.append(("yellow_corrected", side()))
    wanted += [("yellow", side()) for _ in range(rng.randint(1, 5))]
    optional: list[tuple[Incident, bool]] = [
        ("disallowed_goal", plan.has_disallowed_goal),
        ("card_upgrade", plan.has_card_upgrade),
        ("penalty_overturned", plan.has_penalty_overturned),
        ("penalty_missed", rng.random() < 0.2),
        ("penalty_cancelled", rng.random() < 0.4),
        ("straight_red", rng.random() < 0.15),
        ("var_check", rng.random() < 0.5),
    ]
    wanted += [(incident, side()) for incident, chosen in optional if chosen]
    wanted += [("adjust_clock", True)] * rng.randint(1, 2)
    return wanted


def make_plan(rng: random.Random) -> MatchPlan:
    """Decide the match; about one in four go to penalties, one in four are suspended."""
    plan = MatchPlan(
        has_shootout=rng.random() < 0.25,
        has_suspension=rng.random() < 0.25,
        has_disallowed_goal=rng.random() < 0.5,
        has_restored_goal=rng.random() < 0.4,
        has_card_upgrade=rng.random() < 0.4,
        has_penalty_overturned=rng.random() < 0.25,
        stoppage={1: rng.randint(60, 240), 2: rng.randint(120, 420)},
    )
    free = {period: rng.sample(slots, len(slots)) for period, slots in _SLOTS.items()}
    late = [slot for slot in free[2] if slot in _LATE_SLOTS]
    for home in (True, False):
        changes = rng.choice(_CHANGES)
        if rng.random() < _FIRST_HALF_INJURY:
            _place(plan, free, 1, free[1][-1], "injury_substitution", home)
            changes -= 1
        for size in _windows(rng, changes):
            kind: Incident = "double_substitution" if size == 2 else "substitution"
            _place(plan, free, 2, late.pop(), kind, home)
    if rng.random() < 0.5:
        _place(plan, free, 2, late.pop(), "second_yellow", rng.random() < 0.5)
    if plan.has_suspension:
        period = rng.choice((1, 2))
        _place(plan, free, period, free[period][-1], "suspension", True)
    for incident, home in _wanted(rng, plan):
        period = rng.choice([p for p in (1, 2) if free[p]])
        _place(plan, free, period, free[period][-1], incident, home)
    for planned in plan.incidents.values():
        planned.sort(key=lambda item: item.clock)
    return plan


def _windows(rng: random.Random, changes: int) -> list[int]:
    """Changes grouped into at most ``_WINDOWS`` stoppages of one or two changes each."""
    sizes: list[int] = []
    while changes:
        left = _WINDOWS - len(sizes) - 1  # stoppages after this one
        single = changes - 1 <= 2 * left and (changes == 1 or rng.random() < 0.5)
        sizes.append(1 if single else 2)
        changes -= sizes[-1]
    return sizes


def _place(
    plan: MatchPlan,
    free: dict[int, list[int]],
    period: int,
    minute: int,
    incident: Incident,
    home: bool,
) -> None:
    free[period].remove(minute)
    plan.incidents[period].append(Planned(minute * 60, incident, home))
