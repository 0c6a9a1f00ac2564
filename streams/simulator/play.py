"""Routine open play: possession spells, set pieces and shots between the key incidents."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Final

from streams.simulator import catalog as ct
from streams.simulator.script import Action, Effect, Script
from streams.simulator.state import MatchState
from streams.simulator.teams import Player


def possession_effect(home: bool) -> Effect:
    def apply(state: MatchState, stamp: str) -> None:
        state.home_in_possession = home

    return apply


@dataclass
class Play:
    """Who is on the pitch or came on, who is booked, and who has the ball."""

    script: Script
    possession: bool = True
    on_pitch: dict[bool, list[Player]] = field(default_factory=dict)
    bench: dict[bool, list[Player]] = field(default_factory=dict)
    booked: set[Player] = field(default_factory=set)
    came_on: set[Player] = field(default_factory=set)

    def __post_init__(self) -> None:
        for home in (True, False):
            team = self.script.team(home)
            self.on_pitch[home] = list(team.starters)
            self.bench[home] = list(team.bench)

    def later(self, at: float, low: float, high: float) -> float:
        return at + self.script.rng.uniform(low, high)

    def player(self, home: bool, *, keeper: bool = False) -> Player:
        """Someone on the pitch; the goalkeeper (listed first) only when asked for."""
        squad = self.on_pitch[home]
        if keeper:
            return squad[0]
        return self.script.rng.choice(squad[1:] or squad)

    def event(self, type_id: int, at: float, home: bool, *, player: bool = True) -> Action:
        """A Confirmed on-the-ball action for one team."""
        who = self.player(home) if player else None
        return self.script.confirmed(type_id, at, home=home, player=who)

    def gain(self, at: float, home: bool) -> float:
        """Possession Gained when the ball changes team; returns the next free time."""
        if self.possession == home:
            return at
        self.possession = home
        self.script.confirmed(
            ct.POSSESSION_GAINED, at, possession_effect(home), home=home, player=self.player(home)
        )
        return self.later(at, 1, 3)

    def send_off(self, home: bool, player: Player) -> None:
        if player in self.on_pitch[home]:
            self.on_pitch[home].remove(player)


# Cumulative chances of what one spell of play is. Spells come every few seconds, so
# these small shares give about 10 fouls, 2 offsides, 5 corners and 12 shots per team
# per match, the middle of the ranges in realism.py.
_CHANGE_OF_POSSESSION: Final = 0.52
_THROW_IN: Final = 0.74
_ATTACK: Final = 0.825
_FOUL: Final = 0.857
_OFFSIDE: Final = 0.865


def routine(play: Play, at: float) -> float:
    """One spell of ordinary play; returns when the next can start."""
    side = play.possession
    roll = play.script.rng.random()
    if roll < _CHANGE_OF_POSSESSION:
        return play.gain(play.later(at, 2, 7), not side)
    if roll < _THROW_IN:
        thrower = play.script.rng.random() < 0.5
        play.event(ct.THROW_IN, at, thrower)
        return play.gain(play.later(at, 2, 4), thrower)
    if roll < _ATTACK:
        return attack(play, at, side)
    if roll < _FOUL:
        play.event(ct.FOUL, at, not side)
        return free_kick(play, play.later(at, 4, 15), side)
    if roll < _OFFSIDE:
        play.event(ct.OFFSIDE, at, side)
        return free_kick(play, play.later(at, 4, 10), not side)
    play.event(ct.GOAL_KICK, at, not side, player=False)
    return play.gain(play.later(at, 3, 8), not side)


def free_kick(play: Play, at: float, home: bool) -> float:
    play.event(ct.FREE_KICK, at, home)
    return play.gain(play.later(at, 1, 3), home)


def attack(play: Play, at: float, side: bool) -> float:
    """A dangerous attack that ends in a shot, a corner or a lost ball."""
    rng = play.script.rng
    play.event(ct.DANGEROUS_ATTACK, at, side, player=False)
    at = play.later(at, 3, 12)
    roll = rng.random()
    if roll < 0.45:
        return shot(play, at, side)
    if roll < 0.6:
        return corner(play, at, side)
    return play.gain(at, not side)


def shot(play: Play, at: float, side: bool) -> float:
    # About a third of shots are on target in the data (goals included).
    if play.script.rng.random() < 0.3:
        play.event(ct.SHOT_ON_TARGET, at, side)
        at = play.later(at, 2, 6)
        if play.script.rng.random() < 0.4:
            return corner(play, at, side)
        return play.gain(at, not side)
    play.event(ct.SHOT_OFF_TARGET, at, side)
    at = play.later(at, 8, 20)
    play.event(ct.GOAL_KICK, at, not side, player=False)
    return play.gain(play.later(at, 3, 8), not side)


def corner(play: Play, at: float, side: bool) -> float:
    play.event(ct.CORNER, at, side)
    at = play.later(at, 20, 40)
    if play.script.rng.random() < 0.3:
        return shot(play, at, side)
    return play.gain(at, not side)
