"""Deterministic clubs, kits and squads for generated matches."""

from __future__ import annotations

import random
import uuid
from dataclasses import dataclass
from typing import Final

# Fixed namespaces so that a club keeps its ids across fixtures (docs/dde-protocol.md §5.4:
# team ids are fixture-independent).
TEAM_NAMESPACE: Final = uuid.UUID("6b1f4c1e-5d0a-4f57-9a51-2d7c0e0d7a01")
CLUB_NAMESPACE: Final = uuid.UUID("6b1f4c1e-5d0a-4f57-9a51-2d7c0e0d7a02")
PLAYER_NAMESPACE: Final = uuid.UUID("6b1f4c1e-5d0a-4f57-9a51-2d7c0e0d7a03")

# fmt: off
_TOWNS: Final = (
    "Ashford", "Brackley", "Carrow", "Dunmore", "Eastleigh", "Fairhaven", "Glenbrook",
    "Harrowgate", "Ironbridge", "Kingsport", "Larkhill", "Marlow", "Northwick", "Oakham",
    "Portsea", "Queensbury", "Redcliffe", "Stanmore", "Thornbury", "Upton", "Westbury",
    "Yarmouth", "Aldmoor", "Bellhaven", "Castleford", "Drayton", "Elmstead", "Foxley",
)
_SUFFIXES: Final = (
    "United", "City", "Rovers", "Athletic", "Town", "Wanderers", "Albion", "County", "Rangers",
    "Borough", "Harriers", "Orient",
)
_FIRST: Final = (
    "James", "Luca", "Mateo", "Noah", "Oliver", "Jonas", "Mikkel", "Rafael", "Tomás", "Callum",
    "Declan", "Ethan", "Kai", "Leon", "Marco", "Nils", "Pablo", "Ruben", "Samir", "Theo",
    "Viktor", "Yusuf", "Adam", "Bruno", "Dario", "Emil", "Felix", "Hugo", "Ivan",
)
_LAST: Final = (
    "Andersen", "Barker", "Costa", "Doyle", "Eriksen", "Fischer", "Garcia", "Hughes", "Ivanov",
    "Jansen", "Keane", "Lindqvist", "Moreno", "Novak", "Okafor", "Petrov", "Quinn", "Rossi",
    "Silva", "Turner", "Ulloa", "Varga", "Walsh", "Young", "Zielinski", "Byrne", "Dalton",
    "Ferreira", "Holm", "Mendes", "Nakamura", "Obi", "Sorensen",
)
_POSITIONS: Final = ("Goalkeeper", *("Defender",) * 4, *("Midfielder",) * 4, "Forward", "Forward")
_BENCH_POSITIONS: Final = (
    "Goalkeeper", "Defender", "Defender", "Midfielder", "Midfielder", "Forward", "Forward",
)
_KITS: Final = (
    (200, 16, 46), (0, 56, 168), (255, 255, 255), (10, 10, 10), (253, 185, 19), (0, 122, 51),
    (108, 29, 69), (135, 206, 235), (255, 102, 0), (5, 52, 13), (255, 0, 0), (70, 0, 130),
)
# fmt: on


@dataclass(frozen=True)
class Player:
    """A squad member; only ``id`` and ``name`` go on the wire in ``player``."""

    id: uuid.UUID
    name: str
    shirt_number: int
    position: str
    starter: bool

    def to_wire(self) -> dict[str, str]:
        return {"id": str(self.id), "name": self.name}


@dataclass(frozen=True)
class Team:
    """A club in one fixture: ids, kit colour and its 18-player squad."""

    id: uuid.UUID
    name: str
    club_id: uuid.UUID
    colour: tuple[int, int, int]
    players: tuple[Player, ...]

    @property
    def colour_text(self) -> str:
        return ", ".join(str(part) for part in self.colour)

    @property
    def starters(self) -> tuple[Player, ...]:
        return tuple(player for player in self.players if player.starter)

    @property
    def bench(self) -> tuple[Player, ...]:
        return tuple(player for player in self.players if not player.starter)


def club_name(rng: random.Random) -> str:
    """A realistic-sounding club name such as "Kingsport Rovers" or "FC Marlow"."""
    town = rng.choice(_TOWNS)
    style = rng.random()
    if style < 0.15:
        return f"FC {town}"
    if style < 0.25:
        return f"{town} FC"
    return f"{town} {rng.choice(_SUFFIXES)}"


def make_team(rng: random.Random, name: str, colour: tuple[int, int, int]) -> Team:
    """A team with ids derived from its name, so a club is the same in every fixture."""
    numbers = rng.sample(range(2, 40), 16)
    positions = (*_POSITIONS, *_BENCH_POSITIONS)
    shirts = [1, *numbers[:10], 12, *numbers[10:]]
    players: list[Player] = []
    taken: set[str] = set()
    for index, (position, shirt) in enumerate(zip(positions, shirts, strict=True)):
        player_name = f"{rng.choice(_FIRST)} {rng.choice(_LAST)}"
        while player_name in taken:
            player_name = f"{rng.choice(_FIRST)} {rng.choice(_LAST)}"
        taken.add(player_name)
        player_id = uuid.uuid5(PLAYER_NAMESPACE, f"{name}/{shirt}/{player_name}")
        players.append(Player(player_id, player_name, shirt, position, starter=index < 11))
    return Team(
        id=uuid.uuid5(TEAM_NAMESPACE, name),
        name=name,
        club_id=uuid.uuid5(CLUB_NAMESPACE, name),
        colour=colour,
        players=tuple(players),
    )


def make_teams(
    rng: random.Random, home: str | None = None, away: str | None = None
) -> tuple[Team, Team]:
    """Home and away teams with different names and kit colours."""
    home_name = home or club_name(rng)
    away_name = away or club_name(rng)
    while away_name == home_name:
        away_name = club_name(rng)
    home_colour, away_colour = rng.sample(_KITS, 2)
    return make_team(rng, home_name, home_colour), make_team(rng, away_name, away_colour)
