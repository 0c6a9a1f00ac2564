"""Pure rules turning parsed packets into Action and Fixture values (docs/dde-protocol.md §6)."""

from __future__ import annotations

from typing import Any

from streams.dde.bounds import LABEL_CHARS, clip
from streams.dde.messages import DataPacket, ParsedAction, ParsedSummary, metadata_value
from streams.dde.values import COVERAGE_LEVELS, enum_name

# Fields a thin removal packet (Cancelled/Deleted) may leave out; the struck-through
# timeline entry should still say whose goal was disallowed, so keep the old values.
_DESCRIPTIVE_FIELDS = (
    "type_id",
    "type_name",
    "subtype_id",
    "subtype_name",
    "team_id",
    "team_name",
    "team_is_home",
    "player_id",
    "player_name",
    "metadata",
)


def action_fields(action: ParsedAction) -> dict[str, Any]:
    """The Action columns carried by one version of an action."""
    return {
        "type_id": action.type_id,
        "type_name": action.type_name,
        "subtype_id": action.subtype_id,
        "subtype_name": action.subtype_name,
        "send_type": action.send_type,
        "send_type_id": action.send_type_id,
        "period": action.period,
        "clock_time": action.clock_time or "",
        "timestamp": action.timestamp,
        "team_id": action.team_id or "",
        "team_name": action.team_name,
        "team_is_home": action.team_is_home,
        "player_id": action.player_id or "",
        "player_name": action.player_name,
        "metadata": action.metadata,
        "related_action_ids": list(action.related_action_ids),
        "timeline_sequence": action.timeline_sequence,
        "fixture_seq_num": action.fixture_seq_num,
        "delayed": action.delayed,
    }


def is_stale(current_seq: int | None, incoming_seq: int | None) -> bool:
    """True when an older version arrives after a newer one: the newest fixtureSeqNum wins."""
    return current_seq is not None and incoming_seq is not None and incoming_seq < current_seq


def next_action_state(
    current: dict[str, Any] | None, packet: DataPacket, position: int
) -> dict[str, Any]:
    """Apply one packet to an action's current state (None for a new actionId).

    Returns the full new state, including ``removed``, ``restored`` and positions.
    """
    action = packet.action
    if current is not None and is_stale(current["fixture_seq_num"], action.fixture_seq_num):
        return {**current, "last_position": position}
    new = action_fields(action)
    if current is not None and action.removes:
        for field in _DESCRIPTIVE_FIELDS:
            if new[field] in (None, "", {}):
                new[field] = current[field]
    was_removed = bool(current and current["removed"])
    was_restored = bool(current and current["restored"])
    removed = action.removes
    new["removed"] = removed
    new["restored"] = not removed and (was_removed or was_restored)
    new["first_position"] = current["first_position"] if current else position
    new["last_position"] = position
    return new


def summary_fields(summary: ParsedSummary) -> dict[str, Any]:
    """Fixture columns from a fixtureSummary; fields the packet lacks are left out."""
    fields: dict[str, Any] = {
        "home_score": summary.home_score,
        "away_score": summary.away_score,
        "current_period": summary.current_period,
        "status": summary.current_status,
        "collection_status": summary.collection_status,
        "clock_time": summary.clock_time,
        "clock_state": summary.clock_state,
        "home_in_possession": summary.home_in_possession,
    }
    fields = {name: value for name, value in fields.items() if value is not None}
    if summary.periods:
        fields["periods"] = [period_payload(p) for p in summary.periods]
    return fields


def period_payload(period: Any) -> dict[str, Any]:
    return {
        "id": period.id,
        "label": period.label,
        "type": period.type,
        "start": period.start.isoformat() if period.start else None,
        "end": period.end.isoformat() if period.end else None,
        "home_score": period.home_score,
        "away_score": period.away_score,
        "home_period_score": period.home_period_score,
        "away_period_score": period.away_period_score,
    }


# Every Fixture field that ``fixture_fields`` may set.
FEED_FIXTURE_FIELDS = (
    "home_score", "away_score", "current_period", "status", "collection_status", "clock_time",
    "clock_state", "home_in_possession", "periods", "home_colour", "away_colour", "finished",
    "coverage_level",
)  # fmt: skip


def fixture_fields(packet: DataPacket) -> dict[str, Any]:
    """Everything one packet says about its fixture: summary, colours, coverage, the end
    of the feed.

    Colours and coverage are read from the metadata keys that carry them (Team Colours'
    ``HomeTeamColour``, Status Updated's ``coverageLevel``), whatever the type's id: the
    vendor's numbering is not ours to assume (docs/action-types.md).
    """
    fields = summary_fields(packet.summary) if packet.summary else {}
    action = packet.action
    if not action.removes:
        # Metadata strings are clipped to METADATA_TEXT_CHARS; a colour is a label.
        home = _label(metadata_value(action.metadata, "HomeTeamColour"))
        away = _label(metadata_value(action.metadata, "AwayTeamColour"))
        if home:
            fields["home_colour"] = home
        if away:
            fields["away_colour"] = away
        coverage = enum_name(metadata_value(action.metadata, "coverageLevel"), COVERAGE_LEVELS)
        if coverage:
            fields["coverage_level"] = coverage
    if packet.finished:
        fields["finished"] = True
    return fields


def _label(value: Any) -> str:
    return clip(str(value), LABEL_CHARS) if value else ""
