"""The penalty shootout after a level match (period 3, docs/dde-protocol.md §5.6 and §10)."""

from __future__ import annotations

import itertools
from collections.abc import Iterator

from streams.simulator import catalog as ct
from streams.simulator.periods import period_ended, period_started
from streams.simulator.play import Play
from streams.simulator.script import Effect, SendType
from streams.simulator.state import SHOOTOUT_PERIOD, MatchState
from streams.simulator.teams import Player

_ROUNDS = 5


def _scored(home: bool) -> Effect:
    def apply(state: MatchState, stamp: str) -> None:
        state.score_shootout_kick(home)

    return apply


def _kick(play: Play, at: float, home: bool, taker: Player) -> tuple[bool, float]:
    """One kick: Pending, then Confirmed with its outcome as the sub-type."""
    rng = play.script.rng
    roll = rng.random()
    outcome = (
        ct.SHOOTOUT_SCORED
        if roll < 0.75
        else ct.SHOOTOUT_SAVED
        if roll < 0.9
        else (ct.SHOOTOUT_MISSED)
    )
    scored = outcome == ct.SHOOTOUT_SCORED
    kick = play.script.action(ct.SHOOTOUT_PENALTY, at, home=home, player=taker)
    play.script.send(kick, at, SendType.Pending)
    at = play.later(at, 3, 8)
    effect = _scored(home) if scored else None
    play.script.send(kick, at, SendType.Confirmed, effect, sub_type=outcome)
    return scored, play.later(at, 35, 70)


def _decided(goals: dict[bool, int], taken: dict[bool, int]) -> bool:
    """Whether one side can no longer be caught within the first five rounds."""
    left = {side: max(0, _ROUNDS - taken[side]) for side in (True, False)}
    return goals[True] > goals[False] + left[False] or goals[False] > goals[True] + left[True]


def _takers(play: Play, home: bool) -> Iterator[Player]:
    """Everyone on the pitch takes one before anyone takes a second; the keeper last."""
    keeper, *outfield = play.on_pitch[home]
    play.script.rng.shuffle(outfield)
    return itertools.cycle([*outfield, keeper])


def play_shootout(play: Play, at: float, first: bool) -> float:
    """Kicks alternate until decided, with sudden death after five rounds each."""
    goals = {True: 0, False: 0}
    taken = {True: 0, False: 0}
    takers = {home: _takers(play, home) for home in (True, False)}
    while True:
        for home in (first, not first):
            scored, at = _kick(play, at, home, next(takers[home]))
            goals[home] += scored
            taken[home] += 1
            if taken[home] <= _ROUNDS and _decided(goals, taken):
                return at
        if taken[first] >= _ROUNDS and goals[True] != goals[False]:
            return at


def shootout_period(play: Play, at: float) -> float:
    """Start Period 3 and Start Clock (as documented), the kicks, then the period's end."""
    script = play.script
    script.period = SHOOTOUT_PERIOD
    script.clock.set(at, 0, running=False)
    script.confirmed(ct.START_PERIOD, at, period_started(SHOOTOUT_PERIOD))
    at = play.later(at, 2, 6)
    script.clock.start(at)
    script.confirmed(ct.START_CLOCK, at)
    at = play.later(at, 30, 60)
    first = script.rng.random() < 0.5
    at = play_shootout(play, at, first)
    script.clock.stop(at)
    script.confirmed(ct.STOP_CLOCK, at)
    at = play.later(at, 2, 5)
    script.confirmed(ct.END_PERIOD, at, period_ended)
    return play.later(at, 20, 60)
