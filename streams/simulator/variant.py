"""How a simulator's matches differ from the default: type numbering and invented types."""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Final

from streams.simulator import catalog as ct
from streams.simulator import hostile as hs
from streams.simulator.catalog import ActionType
from streams.simulator.invented import invented_types
from streams.simulator.numbering import DEFAULT_NUMBERING, Numbering


@dataclass(frozen=True)
class MatchVariant:
    """``--type-ids``, ``--invent-types`` and ``--hostile``; the default changes nothing,
    byte for byte.

    The generator always works in the catalogue's numbering; rendering a packet is the
    one place ids turn into what the wire carries (``wire_type``, ``wire_sub_type``), and
    names into what a hostile feed sends (``wire_name``).
    """

    numbering: Numbering = DEFAULT_NUMBERING
    invent_types: int = 0
    hostile: bool = False

    def __post_init__(self) -> None:
        if self.invent_types < 0:
            raise ValueError("the number of invented types must not be negative")

    @functools.cached_property
    def invented(self) -> dict[int, ActionType]:
        return {action.id: action for action in self.added_types}

    @functools.cached_property
    def added_types(self) -> tuple[ActionType, ...]:
        """Types the catalogue lacks that matches also send: invented, then hostile ones."""
        return invented_types(self.invent_types) + (hs.hostile_types() if self.hostile else ())

    def wire_type(self, type_id: int) -> tuple[int, str]:
        """The id and name a packet carries for a catalogue (or invented) type id."""
        invented = self.invented.get(type_id)
        if invented is not None:
            return invented.id, invented.name
        return self.numbering.type_id(type_id), ct.type_name(type_id)

    def wire_sub_type(self, sub_type_id: int) -> tuple[int, str]:
        return self.numbering.sub_type_id(sub_type_id), ct.sub_type_name(sub_type_id)

    def wire_name(self, name: str, seq: int, salt: int) -> str:
        """A team's or player's name as packet ``seq`` carries it."""
        return hs.hostile_name(name, seq, salt) if self.hostile else name

    def __str__(self) -> str:
        hostile = ", hostile" if self.hostile else ""
        return f"type ids {self.numbering}, {self.invent_types} invented types{hostile}"


DEFAULT_VARIANT: Final = MatchVariant()
