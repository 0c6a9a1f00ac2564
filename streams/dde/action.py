"""The ``fixtureAction`` of a data packet, read tolerantly (docs/dde-protocol.md §5.2, §6)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from itertools import islice
from typing import Any, cast

from streams.dde.bounds import CLOCK_CHARS, NAME_CHARS, RELATED_IDS, bounded_metadata
from streams.dde.values import (
    SEND_TYPES,
    as_bool,
    as_datetime,
    as_float,
    as_id,
    as_int,
    as_name,
    enum_id,
    enum_name,
)
from streams.dde.wire import ActionWire

# §6: Cancelled ends a Pending action, Deleted a Confirmed one; Updated (or Restored)
# brings a removed action back.
_REMOVING = frozenset({"Cancelled", "Deleted"})
_REVIVING = frozenset({"Updated", "Restored"})


@dataclass(frozen=True)
class ParsedAction:
    """One version of a match action; the same ``action_id`` arrives many times (§6)."""

    action_id: str
    fixture_id: str | None = None
    period: int | None = None
    clock_time: str | None = None
    timestamp: dt.datetime | None = None
    send_type: str = ""
    send_type_id: int | None = None
    fixture_seq_num: int | None = None
    timeline_sequence: float | None = None
    type_id: int | None = None
    type_name: str = ""
    subtype_id: int | None = None
    subtype_name: str = ""
    team_id: str | None = None
    team_name: str = ""
    team_is_home: bool | None = None
    player_id: str | None = None
    player_name: str = ""
    metadata: dict[str, Any] = field(default_factory=dict)
    related_action_ids: tuple[str, ...] = ()
    delayed: bool = False

    @property
    def removes(self) -> bool:
        """This version takes the action off the timeline (Cancelled or Deleted)."""
        return self.send_type in _REMOVING

    @property
    def revives(self) -> bool:
        """This version may bring a removed action back (Updated or Restored)."""
        return self.send_type in _REVIVING


def parse_action(raw: ActionWire, action_id: str) -> ParsedAction:
    """Read a ``fixtureAction`` whose ``actionId`` the caller has already validated.

    Values of the wrong kind become None (or "" / empty) instead of failing the packet:
    the raw payload is stored as received anyway. Texts are cleaned and clipped, and the
    metadata bounded, as ``streams.dde.bounds`` says.
    """
    send_type, send_type_id = _send_type(raw.get("sendType"), raw.get("sendTypeId"))
    team = _object(raw.get("team"))
    player = _object(raw.get("player"))
    return ParsedAction(
        action_id=action_id,
        fixture_id=as_id(raw.get("fixtureId")),
        period=as_int(raw.get("period")),
        clock_time=as_name(raw.get("clockTime"), CLOCK_CHARS) or None,
        timestamp=as_datetime(raw.get("timestamp")),
        send_type=send_type,
        send_type_id=send_type_id,
        fixture_seq_num=as_int(raw.get("fixtureSeqNum")),
        timeline_sequence=as_float(raw.get("timelineSequence")),
        type_id=as_int(raw.get("fixtureActionTypeId")),
        type_name=as_name(raw.get("fixtureActionType"), NAME_CHARS),
        subtype_id=as_int(raw.get("fixtureActionSubTypeId")),
        subtype_name=as_name(raw.get("fixtureActionSubType"), NAME_CHARS),
        team_id=as_id(team.get("id")),
        team_name=as_name(team.get("name"), NAME_CHARS),
        team_is_home=as_bool(team.get("homeTeam")),
        player_id=as_id(player.get("id")),
        player_name=as_name(player.get("name"), NAME_CHARS),
        metadata=bounded_metadata(raw.get("metadata")),
        related_action_ids=_ids(raw.get("relatedFixtureActionIds")),
        delayed=_delayed(raw.get("delayStatus")),
    )


def _send_type(name: object, number: object) -> tuple[str, int | None]:
    # Either half may be missing; each one is derivable from the other (§6).
    send_type = enum_name(name, SEND_TYPES) or ""
    send_type_id = as_int(number)
    if send_type_id is None:
        send_type_id = enum_id(send_type, SEND_TYPES)
    if not send_type and send_type_id is not None:
        send_type = SEND_TYPES.get(send_type_id, "")
    return send_type, send_type_id


def _object(value: object) -> dict[str, Any]:
    return cast(dict[str, Any], value) if isinstance(value, dict) else {}


def _ids(value: object) -> tuple[str, ...]:
    if not isinstance(value, list):
        return ()
    ids = (i for i in (as_id(item) for item in value) if i)
    return tuple(islice(ids, RELATED_IDS))


def _delayed(value: object) -> bool:
    # Tennis marks late, offline-collected packets "DELAYED" (§5.2 delayStatus); any other
    # value (e.g. a hypothetical "NOT_DELAYED") is read as live.
    if isinstance(value, str):
        return value.strip().upper() == "DELAYED"
    return as_bool(value) is True
