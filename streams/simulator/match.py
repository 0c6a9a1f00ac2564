"""A whole generated match, deterministic from its fixture id, kick-off and pace."""

from __future__ import annotations

import bisect
import datetime as dt
import json
import random
import uuid
from dataclasses import dataclass, field
from typing import Any

from streams.simulator import periods, realism
from streams.simulator.hostile import hostile_types
from streams.simulator.invented import add_invented_actions
from streams.simulator.plan import MatchPlan, make_plan
from streams.simulator.play import Play
from streams.simulator.render import render
from streams.simulator.script import Script
from streams.simulator.shootout import shootout_period
from streams.simulator.teams import Team, make_teams
from streams.simulator.variant import DEFAULT_VARIANT, MatchVariant

# A match replays from a new seed when a count leaves realism.PER_TEAM: about three in a
# hundred do (measured over 400 ids), so failing this many times means a bug, not bad luck.
_ATTEMPTS = 25


def compact(packet: dict[str, Any]) -> str:
    """The wire form of a packet: one compact JSON text per frame."""
    return json.dumps(packet, separators=(",", ":"), ensure_ascii=False)


@dataclass(frozen=True)
class Match:
    """Teams, every packet in order, and when (seconds after kick-off) each is released."""

    fixture_id: uuid.UUID
    kickoff: dt.datetime
    pace: float
    home: Team
    away: Team
    packets: list[dict[str, Any]]
    release_offsets: list[float]
    has_shootout: bool
    has_suspension: bool
    has_disallowed_goal: bool
    has_restored_goal: bool
    has_card_upgrade: bool
    has_penalty_overturned: bool
    frames: list[str] = field(repr=False)
    variant: MatchVariant = DEFAULT_VARIANT

    @property
    def name(self) -> str:
        return f"{self.home.name} v {self.away.name}"

    @property
    def first_release(self) -> dt.datetime:
        return self.kickoff + dt.timedelta(seconds=self.release_offsets[0])

    @property
    def last_release(self) -> dt.datetime:
        return self.kickoff + dt.timedelta(seconds=self.release_offsets[-1])

    def released(self, now: dt.datetime) -> int:
        """How many packets have been produced by ``now`` (kickoff + offset <= now)."""
        elapsed = (now - self.kickoff).total_seconds()
        return bisect.bisect_right(self.release_offsets, elapsed)

    def is_finished(self, now: dt.datetime) -> bool:
        return self.released(now) == len(self.packets)


def _play(rng: random.Random, home: Team, away: Team) -> tuple[Script, MatchPlan]:
    """Every action of one attempt at the match, in wall seconds at pace 1."""
    plan = make_plan(rng)
    script = Script(rng, home, away)
    play = Play(script)
    periods.setup(script)
    at, home_first = periods.kick_off_match(play, rng)
    at = periods.play_period(play, at, 1, plan)
    at = periods.start_period(play, periods.half_time(play, at), 2, not home_first)
    at = periods.play_period(play, at, 2, plan)
    if plan.has_shootout:
        at = shootout_period(play, play.later(at, 120, 300))
    periods.end_match(play, play.later(at, 20, 60))
    return script, plan


def play_match(
    fixture_id: uuid.UUID, home: str | None, away: str | None
) -> tuple[Script, MatchPlan]:
    """The match of this id: the first attempt whose counts all fit realism.PER_TEAM.

    Teams come from the id's random stream and stay; a replay draws the play from a
    stream seeded by the id and the attempt, so the result is the same every time.
    """
    rng = random.Random(fixture_id.int)
    home_team, away_team = make_teams(rng, home, away)
    problems: list[str] = []
    for attempt in range(_ATTEMPTS):
        if attempt:
            rng = random.Random(fixture_id.int + (attempt << 128))
        script, plan = _play(rng, home_team, away_team)
        problems = realism.out_of_range(realism.team_counts(realism.standing_actions(script)))
        if not problems:
            return script, plan
    raise RuntimeError(
        f"no realistic match for fixture {fixture_id} in {_ATTEMPTS} attempts: {problems}"
    )


def generate_match(
    fixture_id: uuid.UUID,
    kickoff: dt.datetime,
    pace: float = 1.0,
    *,
    home: str | None = None,
    away: str | None = None,
    variant: MatchVariant = DEFAULT_VARIANT,
) -> Match:
    """Generate a match; the same arguments always give byte-identical packets.

    ``pace`` > 1 plays the match faster than real time: release offsets and
    timestamps are divided by it, the match clock is not. ``variant`` renumbers the
    type ids on the wire and adds invented types; the match itself stays the same.
    """
    if pace <= 0:
        raise ValueError("pace must be positive")
    if kickoff.tzinfo is None:
        raise ValueError("kickoff must be timezone-aware")
    script, plan = play_match(fixture_id, home, away)
    hostile = hostile_types() if variant.hostile else ()
    add_invented_actions(script, fixture_id, variant.invent_types, hostile)
    packets, offsets = render(script, fixture_id, kickoff.astimezone(dt.UTC), pace, variant)
    return Match(
        fixture_id=fixture_id,
        kickoff=kickoff,
        pace=pace,
        home=script.home,
        away=script.away,
        packets=packets,
        release_offsets=offsets,
        has_shootout=plan.has_shootout,
        has_suspension=plan.has_suspension,
        has_disallowed_goal=plan.has_disallowed_goal,
        has_restored_goal=plan.has_restored_goal,
        has_card_upgrade=plan.has_card_upgrade,
        has_penalty_overturned=plan.has_penalty_overturned,
        frames=[compact(packet) for packet in packets],
        variant=variant,
    )
