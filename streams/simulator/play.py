"""Routine open play: possession spells, set pieces and shots between the key incidents."""

from __future__ import annotations

from dataclasses import dataclass, field

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
    """The generator's view of the pitch: who is on it, who is booked, who has the ball."""

    script: Script
    possession: bool = True
    on_pitch: dict[bool, list[Player]] = field(default_factory=dict)
    bench: dict[bool, list[Player]] = field(default_factory=dict)
    booked: set[Player] = field(default_factory=set)

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


def routine(play: Play, at: float) -> float:
    """One spell of ordinary play; returns when the next can start."""
    side = play.possession
    roll = play.script.rng.random()
    if roll < 0.36:
        return play.gain(play.later(at, 1, 4), not side)
    if roll < 0.52:
        thrower = play.script.rng.random() < 0.5
        play.event(ct.THROW_IN, at, thrower)
        return play.gain(play.later(at, 2, 4), thrower)
    if roll < 0.74:
        return attack(play, at, side)
    if roll < 0.86:
        play.event(ct.FOUL, at, not side)
        return free_kick(play, play.later(at, 4, 15), side)
    if roll < 0.91:
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
    if roll < 0.4:
        return shot(play, at, side)
    if roll < 0.6:
        return corner(play, at, side)
    return play.gain(at, not side)


def shot(play: Play, at: float, side: bool) -> float:
    if play.script.rng.random() < 0.4:
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
