"""The corrections audit: every correction the packet log holds, across fixtures.

Derived from the stored packets, in position order, never from the actions' current
state (which keeps only the latest version). For each actionId, each version after the
first is compared with what came before it:

- ``cancelled`` / ``deleted``: a version whose sendType is Cancelled or Deleted;
- ``restored``: a version that is neither, after one that removed the action;
- ``type_changed``: a version whose fixtureActionTypeId differs from the last one the
  action was given (a yellow card made red, a goal made an own goal);
- ``player_changed``: a version naming another player than the last one it named.

A version older than one already applied (a lower fixtureSeqNum) changes nothing, as for
the writer (``streams.feed.rules.is_stale``). A first version without a player or type
that a later one fills in is not a correction: only a change from one named value to
another is.

Times are the vendor's (each version's ``timestamp``), or when we received the packet if
a version carries none: first reported is the action's first version, confirmed its
first Confirmed version.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass
from typing import Any, cast

from django.db.models import Count, QuerySet

from streams.dde.action import ParsedAction, parse_action
from streams.dde.wire import ActionWire
from streams.feed.rules import is_stale
from streams.models import Fixture, Packet

KINDS = ("cancelled", "deleted", "restored", "type_changed", "player_changed")
# Fixtures kicking off this long either side of the asked-for dates are read: a correction
# falls within its match, which may start the evening before.
KICKOFF_MARGIN = dt.timedelta(days=1)


@dataclass(frozen=True)
class Correction:
    fixture_id: str
    fixture: str
    action_id: str
    kind: str
    position: int
    fixture_seq_num: int | None
    send_type: str
    period: int | None
    clock_time: str | None
    type_before: str
    type_after: str
    player_before: str
    player_after: str
    first_position: int
    first_reported_at: dt.datetime
    confirmed_at: dt.datetime | None
    corrected_at: dt.datetime
    seconds_to_confirmation: float | None
    seconds_to_correction: float

    def to_payload(self) -> dict[str, Any]:
        row = asdict(self)
        for name in ("first_reported_at", "confirmed_at", "corrected_at"):
            row[name] = row[name].isoformat() if row[name] else None
        return row


COLUMNS: tuple[str, ...] = tuple(Correction.__dataclass_fields__)
TEXT_COLUMNS = frozenset(
    {"fixture", "send_type", "clock_time", "type_before", "type_after", "player_before"}
    | {"player_after"}
)


@dataclass
class _Version:
    position: int
    action: ParsedAction
    at: dt.datetime


def _type_label(action: ParsedAction) -> str:
    return action.type_name or ("" if action.type_id is None else str(action.type_id))


def _player_label(action: ParsedAction) -> str:
    return action.player_name or action.player_id or ""


def corrections_of_action(fixture: Fixture, versions: list[_Version]) -> Iterator[Correction]:
    first = versions[0]
    confirmed: _Version | None = None
    removed = False
    seq: int | None = None
    type_seen: ParsedAction | None = None
    player_seen: ParsedAction | None = None
    for index, version in enumerate(versions):
        action = version.action
        if index and seq is not None and is_stale(seq, action.fixture_seq_num):
            continue
        seq = action.fixture_seq_num if action.fixture_seq_num is not None else seq
        kinds: list[tuple[str, str, str, str, str]] = []  # kind, type before/after, players
        if action.send_type == "Confirmed" and confirmed is None:
            confirmed = version
        if action.removes:
            if index:
                kinds.append((action.send_type.lower(), "", "", "", ""))
            removed = True
        else:
            if removed:
                kinds.append(("restored", "", "", "", ""))
                removed = False
            if action.type_id is not None:
                if type_seen is not None and type_seen.type_id != action.type_id:
                    kinds.append(
                        ("type_changed", _type_label(type_seen), _type_label(action), "", "")
                    )
                type_seen = action
            if action.player_id:
                if player_seen is not None and player_seen.player_id != action.player_id:
                    kinds.append(
                        (
                            "player_changed",
                            "",
                            "",
                            _player_label(player_seen),
                            _player_label(action),
                        )
                    )
                player_seen = action
        for kind, type_before, type_after, player_before, player_after in kinds:
            yield Correction(
                fixture_id=str(fixture.pk),
                fixture=str(fixture),
                action_id=action.action_id,
                kind=kind,
                position=version.position,
                fixture_seq_num=action.fixture_seq_num,
                send_type=action.send_type,
                period=action.period,
                clock_time=action.clock_time,
                type_before=type_before or (_type_label(type_seen) if type_seen else ""),
                type_after=type_after or _type_label(action),
                player_before=player_before,
                player_after=player_after,
                first_position=first.position,
                first_reported_at=first.at,
                confirmed_at=confirmed.at if confirmed else None,
                corrected_at=version.at,
                seconds_to_confirmation=(
                    (confirmed.at - first.at).total_seconds() if confirmed else None
                ),
                seconds_to_correction=(version.at - first.at).total_seconds(),
            )


def fixture_corrections(fixture: Fixture) -> list[Correction]:
    """Every correction of one fixture, in the order of the packets that made them."""
    packets = Packet.objects.filter(fixture=fixture)
    # Only actions with more than one version can have been corrected.
    versioned = (
        packets.values("action_id").annotate(n=Count("id")).filter(n__gt=1).values("action_id")
    )
    rows = (
        packets.filter(action_id__in=versioned)
        .order_by("position")
        .values_list("position", "action_id", "payload", "received_at")
    )
    by_action: dict[str, list[_Version]] = {}
    for position, action_id, payload, received_at in rows.iterator():
        wire = payload.get("fixtureAction") if isinstance(payload, dict) else None
        if not isinstance(wire, dict):
            continue
        action = parse_action(cast(ActionWire, wire), str(action_id))
        by_action.setdefault(str(action_id), []).append(
            _Version(position, action, action.timestamp or received_at)
        )
    found = [c for versions in by_action.values() for c in corrections_of_action(fixture, versions)]
    found.sort(key=lambda c: c.position)
    return found


def corrections(
    date_from: dt.date,
    date_to: dt.date,
    *,
    kinds: Iterable[str] = KINDS,
    fixture_id: uuid.UUID | None = None,
) -> list[Correction]:
    """Corrections made from ``date_from`` to ``date_to`` (inclusive, UTC), by the time of
    the correcting version; fixture by fixture (latest kick-off first), in packet order."""
    start = dt.datetime.combine(date_from, dt.time(), dt.UTC)
    end = dt.datetime.combine(date_to, dt.time.max, dt.UTC)
    wanted = set(kinds)
    fixtures: QuerySet[Fixture] = Fixture.objects.filter(
        kickoff__gte=_moved(start, -KICKOFF_MARGIN), kickoff__lte=_moved(end, KICKOFF_MARGIN)
    ).order_by("-kickoff", "id")
    if fixture_id is not None:
        fixtures = fixtures.filter(pk=fixture_id)
    return [
        c
        for fixture in fixtures
        for c in fixture_corrections(fixture)
        if c.kind in wanted and start <= c.corrected_at <= end
    ]


def _moved(when: dt.datetime, by: dt.timedelta) -> dt.datetime:
    """``when + by``, kept within the years a datetime holds (a range may start at 0001)."""
    try:
        return when + by
    except OverflowError:
        return when


def csv_cells(correction: Correction) -> tuple[Any, ...]:
    row = correction.to_payload()
    return tuple(row[name] for name in COLUMNS)
