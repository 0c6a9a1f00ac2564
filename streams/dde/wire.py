"""Wire shapes of the DDE feed and REST API as documented (docs/dde-protocol.md §2, §5, §11)."""

from __future__ import annotations

from typing import Any, TypedDict

# Every field is optional (total=False): 2022 "version 1" packets lack several of them, and
# numbers may arrive as numeric strings (docs/dde-protocol.md §5), hence the ``| str`` unions. The
# parsers never trust these annotations; they check each value at run time.


class AuthMessage(TypedDict):
    """The one frame a client sends, right after the socket opens (§2.2)."""

    authToken: str


class ControlWire(TypedDict, total=False):
    """Auth replies and heartbeats: any object without ``fixtureAction`` (§2.3, §3)."""

    message: str
    level: str
    eventElementType: str
    timestamp: str


class TeamWire(TypedDict, total=False):
    id: str
    name: str
    homeTeam: bool


class PlayerWire(TypedDict, total=False):
    id: str
    name: str


class ActionWire(TypedDict, total=False):
    """``fixtureAction`` (§5.2)."""

    actionId: str
    fixtureId: str
    period: int | str
    clockTime: str
    timestamp: str
    sendType: str
    sendTypeId: int | str
    fixtureSeqNum: int | str
    timelineSequence: float | str
    fixtureActionType: str
    fixtureActionTypeId: int | str
    fixtureActionSubType: str
    fixtureActionSubTypeId: int | str
    team: TeamWire
    player: PlayerWire
    metadata: dict[str, Any]
    relatedFixtureActionIds: list[str]
    delayStatus: str


class PeriodWire(TypedDict, total=False):
    """One entry of ``fixtureSummary.periods`` (§5.6)."""

    id: int | str
    label: str
    type: str
    start: str
    end: str | None
    homeTeamScore: int | str
    awayTeamScore: int | str
    homeTeamPeriodScore: int | str
    awayTeamPeriodScore: int | str


class SummaryWire(TypedDict, total=False):
    """``fixtureSummary`` (§5.5); ``isHomeTeamInPossesion`` is the wire's spelling."""

    homeTeamScore: int | str
    awayTeamScore: int | str
    isTied: bool
    periods: list[PeriodWire]
    currentPeriod: int | str
    currentStatus: str | int
    collectionStatus: str | int
    currentClockTime: str
    currentClockState: str
    isHomeTeamInPossesion: bool
    isHomeTeamInPossession: bool
    finished: bool


class PacketWire(TypedDict, total=False):
    """One data frame: an action plus the fixture state after it (§5.1)."""

    traceId: str
    version: int
    finished: bool
    fixtureAction: ActionWire
    fixtureSummary: SummaryWire


class FixtureTeamWire(TypedDict, total=False):
    id: str
    name: str
    homeTeam: bool


class FixtureWire(TypedDict, total=False):
    """A fixture from the Fixtures REST API (§11.1)."""

    id: str
    name: str
    startDateUTC: str
    status: str | int
    collectionStatus: str | int
    type: str
    coverageLevel: str | int
    teams: list[FixtureTeamWire]
    fixtureDeleted: bool
