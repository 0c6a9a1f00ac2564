"""A generated match as an ordered script of action versions, before it becomes packets."""

from __future__ import annotations

import dataclasses
import random
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import IntEnum
from typing import Any

from streams.simulator.clock import MatchClock
from streams.simulator.state import MatchState
from streams.simulator.teams import Player, Team

# An effect changes the fixture state when its packet is sent; it gets the packet's
# time as a period stamp ("2023-10-17T15:44:07").
Effect = Callable[[MatchState, str], None]


class SendType(IntEnum):
    """``sendTypeId`` values and, by member name, ``sendType`` (docs/dde-protocol.md §6)."""

    Pending = 1
    Updated = 2
    Cancelled = 3
    Deleted = 4
    Confirmed = 5


@dataclass
class Action:
    """The current version of one action; each send snapshots a copy."""

    id: uuid.UUID
    type_id: int
    period: int
    clock: str
    home: bool | None = None
    player: Player | None = None
    sub_type: int | None = None
    metadata: dict[str, Any] | None = None
    related: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Emission:
    """One packet to be: an action version, when it is produced, and its effect."""

    at: float
    order: int
    action: Action
    send_type: SendType
    effect: Effect | None


@dataclass
class Script:
    """Collects emissions while a match is generated; ``at`` is wall seconds at pace 1."""

    rng: random.Random
    home: Team
    away: Team
    clock: MatchClock = field(default_factory=MatchClock)
    period: int = 0
    emissions: list[Emission] = field(default_factory=list)

    def team(self, home: bool) -> Team:
        return self.home if home else self.away

    def new_id(self) -> uuid.UUID:
        return uuid.UUID(int=self.rng.getrandbits(128), version=4)

    def action(self, type_id: int, at: float, *, timed: bool = True, **fields: Any) -> Action:
        """A new action in the current period; untimed actions carry clock "00:00"."""
        clock = self.clock.text(at) if timed else "00:00"
        return Action(self.new_id(), type_id, self.period, clock, **fields)

    def send(
        self,
        action: Action,
        at: float,
        send_type: SendType,
        effect: Effect | None = None,
        **changes: Any,
    ) -> Action:
        """Change the action (type, sub-type, player...) and queue a packet of it."""
        for name, value in changes.items():
            setattr(action, name, value)
        copy = dataclasses.replace(action, related=list(action.related))
        self.emissions.append(Emission(at, len(self.emissions), copy, send_type, effect))
        return action

    def confirmed(
        self, type_id: int, at: float, effect: Effect | None = None, **fields: Any
    ) -> Action:
        """A new action sent straight as Confirmed, as non-key actions are."""
        return self.send(self.action(type_id, at, **fields), at, SendType.Confirmed, effect)

    def ordered(self) -> list[Emission]:
        return sorted(self.emissions, key=lambda emission: (emission.at, emission.order))
