"""The frame of a match: set-up before kick-off, two halves, half time and the end."""

from __future__ import annotations

import random
from collections.abc import Callable
from typing import Any, Final

from streams.simulator import catalog as ct
from streams.simulator import discipline, goals
from streams.simulator.plan import Incident, MatchPlan, Planned
from streams.simulator.play import Play, routine
from streams.simulator.script import Effect, Script
from streams.simulator.state import MatchState
from streams.simulator.teams import Team

HALF: Final = 45 * 60
HALF_TIME_BREAK: Final = (840.0, 960.0)
# Pre-match set-up starts ten minutes before kick-off (wall seconds at pace 1).
SETUP_START: Final = -600.0

_INCIDENTS: Final[dict[Incident, Callable[[Play, float, bool], float]]] = {
    "goal": goals.open_play_goal,
    "own_goal": lambda play, at, home: goals.open_play_goal(play, at, home, own_goal=True),
    "penalty_goal": goals.penalty_goal,
    "restored_goal": goals.restored_goal,
    "cancelled_goal": goals.cancelled_goal,
    "disallowed_goal": goals.disallowed_goal,
    "penalty_missed": goals.penalty_missed,
    "penalty_cancelled": goals.penalty_cancelled,
    "penalty_overturned": goals.penalty_overturned,
    "yellow": discipline.yellow,
    "yellow_corrected": discipline.yellow_corrected,
    "card_upgrade": discipline.card_upgrade,
    "second_yellow": discipline.second_yellow,
    "straight_red": discipline.straight_red,
    "var_check": discipline.var_check,
    "substitution": discipline.substitution,
    "double_substitution": lambda play, at, home: discipline.substitution(play, at, home, 2),
    "injury_substitution": discipline.substitution,
    "adjust_clock": discipline.adjust_clock,
    "suspension": discipline.suspension,
}


def _lineup(team: Team) -> dict[str, Any]:
    return {
        "players": [
            {
                "id": str(player.id),
                "name": player.name,
                "shirtNumber": player.shirt_number,
                "position": player.position,
                "starter": player.starter,
            }
            for player in team.players
        ]
    }


def setup(script: Script) -> None:
    """Period 0 before kick-off: Team Colours first (seq 1), conditions, lineups."""
    rng = script.rng
    at = SETUP_START + rng.uniform(0, 20)
    colours = {
        "HomeTeamColour": script.home.colour_text,
        "AwayTeamColour": script.away.colour_text,
    }
    script.confirmed(ct.TEAM_COLOURS, at, timed=False, metadata=colours)
    conditions = {
        "weather": rng.choice(("Sunny", "Cloudy", "Overcast", "Light Rain", "Rain", "Windy")),
        "temperatureCelsius": rng.randint(2, 28),
        "pitchCondition": rng.choice(("Good", "Good", "Good", "Wet", "Hard")),
    }
    script.confirmed(
        ct.MATCH_CONDITIONS, at + rng.uniform(30, 90), timed=False, metadata=conditions
    )
    for offset, home in ((rng.uniform(120, 200), True), (rng.uniform(210, 300), False)):
        team = script.team(home)
        script.confirmed(ct.LINEUPS, at + offset, timed=False, home=home, metadata=_lineup(team))


def period_started(period: int) -> Effect:
    def apply(state: MatchState, stamp: str) -> None:
        state.start_period(period, stamp)

    return apply


def period_ended(state: MatchState, stamp: str) -> None:
    state.end_period(stamp)


def _go_live(state: MatchState, stamp: str) -> None:
    state.status = "Live"


def _finish(state: MatchState, stamp: str) -> None:
    state.status, state.collection, state.finished = "Completed", "CollectionCompleted", True


def start_period(play: Play, at: float, period: int, home_kicks_off: bool) -> float:
    """Start Period, Start Clock, Kick Off and the first possession."""
    script = play.script
    script.period = period
    script.clock.set(at, HALF * (period - 1), running=False)
    script.confirmed(ct.START_PERIOD, at, period_started(period))
    at = play.later(at, 1, 3)
    script.clock.start(at)
    script.confirmed(ct.START_CLOCK, at)
    at = play.later(at, 0.5, 2)
    play.event(ct.KICK_OFF, at, home_kicks_off)
    play.possession = not home_kicks_off
    return play.gain(play.later(at, 1, 2), home_kicks_off)


def end_period(play: Play, at: float) -> float:
    play.script.clock.stop(at)
    play.script.confirmed(ct.STOP_CLOCK, at)
    at = play.later(at, 1, 4)
    play.script.confirmed(ct.END_PERIOD, at, period_ended)
    return at


def play_period(play: Play, at: float, period: int, plan: MatchPlan) -> float:
    """Ordinary play with the planned incidents at their minutes, to the final whistle."""
    pending: list[Planned] = list(plan.incidents[period])
    full_time = HALF * period + plan.stoppage[period]
    clock = play.script.clock
    while clock.seconds(at) < full_time or pending:
        if pending and pending[0].clock <= clock.seconds(at):
            incident = pending.pop(0)
            at = _INCIDENTS[incident.incident](play, at, incident.home)
        else:
            at = routine(play, at)
        at = play.later(at, 0.5, 2.5)
    return end_period(play, at)


def kick_off_match(play: Play, rng: random.Random) -> tuple[float, bool]:
    """Start Match at kick-off, then the first half's start; returns (time, who kicked off)."""
    play.script.period = 1
    play.script.confirmed(ct.START_MATCH, 0.0, _go_live, timed=False)
    home_first = rng.random() < 0.5
    return start_period(play, rng.uniform(1, 3), 1, home_first), home_first


def half_time(play: Play, at: float) -> float:
    return at + play.script.rng.uniform(*HALF_TIME_BREAK)


def end_match(play: Play, at: float) -> None:
    play.script.confirmed(ct.END_MATCH, at, _finish)
