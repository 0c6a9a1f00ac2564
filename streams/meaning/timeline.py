"""What a timeline row shows for an action: decided here once, drawn as sent by the browser.

The rules read an action's kind, never its type id (``streams.meaning.kinds``). They work on
the action payloads pages and websockets share (``Action.to_payload``), so the page, the
snapshot and the listener's live changes all describe an action with this one function.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from typing import Any, TypedDict

from streams.dde.values import (
    COLLECTION_STATUSES,
    COVERAGE_LEVELS,
    SEND_TYPES,
    enum_name,
    metadata_value,
)
from streams.meaning import commentary, lineups
from streams.meaning.commentary import DIVIDER_KINDS
from streams.meaning.drawing import ICONS, KEY_KINDS, VIDEO_CHECK_KINDS
from streams.meaning.kinds import ActionKind, fold, kind_from_name
from streams.meaning.minutes import fan_minute, is_shootout

Action = Mapping[str, Any]  # an Action.to_payload() dict


class Row(TypedDict):
    """One timeline entry as the browser draws it (docs/live-protocol.md)."""

    kind: str
    icon: str
    key: bool
    side: str  # home, away or neutral
    state: str  # confirmed, pending, updated, removed or restored
    title: str
    who: str
    note: str
    clock: str  # the feed's clock; empty for period 0 (set-up, not play)
    minute: str  # as fans write it (17', 45+2'); "Pens" in a shootout (minutes.py)
    detail: str  # a shootout kick's outcome: scored or missed; otherwise empty
    delayed: bool  # collected offline and sent late (delayStatus)
    panel: dict[str, Any] | None  # what a Lineups or Match Conditions action says (lineups.py)
    divider: bool  # drawn as a band across the timeline (kick-off, half-time, full time)
    sentence: str  # the commentary's sentence; empty for routine play (commentary.py)


class Kinds:
    """Type id -> kind as the catalogue holds it; an id it has not recorded yet (first seen
    in the packet being described) gets the kind its name gives, as the catalogue will."""

    def __init__(self, by_id: Mapping[int, str] | None = None) -> None:
        self._by_id = {type_id: ActionKind(kind) for type_id, kind in (by_id or {}).items()}

    def of(self, action: Action) -> ActionKind:
        type_id = action.get("type_id")
        if type_id is not None and type_id in self._by_id:
            return self._by_id[type_id]
        return kind_from_name(action.get("type_name"))

    def ids_of(self, kinds: Iterable[ActionKind]) -> list[int]:
        wanted = set(kinds)
        return [type_id for type_id, kind in self._by_id.items() if kind in wanted]


COLLECTION_PHRASES = {
    "CollectionScheduled": "Data collection scheduled",
    "CollectingLive": "Data collection live",
    "CollectingPostMatch": "Data collected after the match",
    "CollectionSuspended": "Data collection suspended",
    "CollectionDropped": "Data collection dropped",
    "CollectionCompleted": "Data collection completed",
    "PostMatchChecked": "Data checked after the match",
}


class Timeline:
    """One fixture's actions (all of them, or those that can explain a removal: removed
    ones, video checks and actions that point at others) and the rows they draw as."""

    def __init__(self, actions: Iterable[Action], kinds: Kinds) -> None:
        self.kinds = kinds
        self.actions: dict[str, Action] = {}
        self._pointing: dict[str, list[Action]] = defaultdict(list)
        self._checks: list[Action] = []
        for action in actions:
            self.actions[str(action["action_id"])] = action
        for action in self.actions.values():
            for target in action.get("related_action_ids") or []:
                self._pointing[str(target).lower()].append(action)
            if kinds.of(action) in VIDEO_CHECK_KINDS:
                self._checks.append(action)

    def row(self, action: Action) -> Row:
        kind = self.kinds.of(action)
        title, who, note = _words(action, kind)
        state, state_note = self._state(action)
        home = action.get("team_is_home")
        detail = _kick_outcome(action) if kind is ActionKind.SHOOTOUT_KICK else ""
        return {
            "kind": kind.value,
            "icon": ICONS[kind],
            "key": kind in KEY_KINDS,
            "side": "neutral" if home is None else ("home" if home else "away"),
            "state": state,
            "title": title,
            "who": who,
            "note": state_note or note,
            "clock": (action.get("clock_time") or "") if action.get("period") else "",
            "minute": _minute(action),
            "detail": detail,
            "delayed": bool(action.get("delayed")),
            "panel": lineups.panel_of(kind, action),
            "divider": kind in DIVIDER_KINDS,
            "sentence": commentary.sentence(kind, action, detail),
        }

    def with_row(self, action: Action) -> dict[str, Any]:
        """The action's payload with its row, as pages and websockets send it."""
        return {**action, "row": self.row(action)}

    def explained_by(self, action: Action) -> list[Action]:
        """Removed actions whose reason this action may give or change: those it points
        at, and, for a video check, those removed around it."""
        targets = {str(t).lower() for t in action.get("related_action_ids") or []}
        is_check = self.kinds.of(action) in VIDEO_CHECK_KINDS

        def explains(other: Action) -> bool:
            pointed_at = str(other["action_id"]).lower() in targets
            return pointed_at or (is_check and _during(action, other))

        return [
            other
            for other in self.actions.values()
            if other["removed"] and other["action_id"] != action["action_id"] and explains(other)
        ]

    def _state(self, action: Action) -> tuple[str, str]:
        if action.get("removed"):
            return "removed", self.removal_reason(action)
        if action.get("restored"):
            return "restored", "Restored"
        send_type = action.get("send_type")
        if send_type == "Pending":
            return "pending", "Provisional"
        if send_type == "Updated":
            return "updated", "Updated"
        return "confirmed", _unknown_send_type(action)

    def removal_reason(self, action: Action) -> str:
        """Why a Cancelled or Deleted action is struck through.

        A Goal Disallowed that points at it gives the reason; a video check for the same
        team between the action's first version and its removal says it was decided on
        review, and a check over whose outcome says "overturned" that it was overturned.
        """
        pointing = sorted(self._pointing.get(str(action["action_id"]).lower(), []), key=_order)
        checks = [check for check in self._checks if _during(check, action)]
        for other in pointing:
            if self.kinds.of(other) is ActionKind.GOAL_DISALLOWED and not other["removed"]:
                sub = other.get("subtype_name")
                reason = f"Disallowed ({sub})" if sub else "Disallowed"
                return f"{reason} after a video check" if checks else reason
        if any(
            self.kinds.of(check) is ActionKind.VIDEO_CHECK_OVER
            and "overturn" in fold(check.get("subtype_name") or "")
            for check in checks
        ):
            return "Overturned after a video check"
        live_pointing = [other for other in pointing if not other["removed"]]
        if live_pointing:
            return str(live_pointing[0].get("type_name") or "Replaced")
        return "Cancelled" if action.get("send_type") == "Cancelled" else "Deleted"


def _during(check: Action, action: Action) -> bool:
    """The check came between the action's first version and its latest, for its team."""
    same_team = not check.get("team_id") or not action.get("team_id")
    same_team = same_team or check.get("team_id") == action.get("team_id")
    between = action["first_position"] < check["first_position"] < action["last_position"]
    return between and same_team


def _order(action: Action) -> tuple[Any, ...]:
    # Postgres's order of the timeline: NULLs last.
    return tuple(
        (action.get(key) is None, action.get(key) or 0)
        for key in ("timeline_sequence", "fixture_seq_num", "first_position")
    )


def _minute(action: Action) -> str:
    period, clock = action.get("period"), action.get("clock_time")
    return "Pens" if period and is_shootout(period, clock) else fan_minute(period, clock)


# A shootout kick's sub-type names that mean it went in, and those that mean it did not;
# the vendor's names are not documented, so both are read loosely.
_SCORED_WORDS = ("scored", "goal")
_MISSED_WORDS = ("miss", "saved", "save", "post", "bar", "wide", "over", "block")


def _kick_outcome(action: Action) -> str:
    name = fold(action.get("subtype_name") or "")
    if any(word in name for word in _MISSED_WORDS):
        return "missed"
    return "scored" if any(word in name for word in _SCORED_WORDS) else ""


def _words(action: Action, kind: ActionKind) -> tuple[str, str, str]:
    """(title, who, note) from the names the feed sent."""
    if kind is ActionKind.STATUS_UPDATE:
        return _status_words(action)
    type_id = action.get("type_id")
    title = action.get("type_name") or ("Action" if type_id is None else f"Action {type_id}")
    if action.get("subtype_name"):
        title = f"{title} · {action['subtype_name']}"
    who = action.get("player_name") or ""
    if action.get("team_name"):
        who = f"{who} ({action['team_name']})" if who else str(action["team_name"])
    return str(title), who, ""


def _status_words(action: Action) -> tuple[str, str, str]:
    """A Status Updated action in words: "Data collection suspended", "Coverage now
    standard stream", and the reason the feed gave (docs/dde-protocol.md §9)."""
    metadata = action.get("metadata") or {}
    collection = enum_name(metadata_value(metadata, "collectionStatus"), COLLECTION_STATUSES)
    coverage = enum_name(metadata_value(metadata, "coverageLevel"), COVERAGE_LEVELS)
    title = COLLECTION_PHRASES.get(collection or "", str(action.get("type_name") or "Status"))
    who = f"Coverage now {coverage.lower()}" if coverage else ""
    reason = metadata_value(metadata, "collectionStatusReason")
    return title, who, str(reason) if isinstance(reason, str) else ""


def _unknown_send_type(action: Action) -> str:
    """The vendor's sendType list is open-ended: one we do not know is shown by name."""
    send_type = action.get("send_type")
    if not send_type:
        send_type_id = action.get("send_type_id")
        return "" if send_type_id is None else f"Send type {send_type_id}"
    return "" if send_type in SEND_TYPES.values() else str(send_type)


def describe(actions: list[Action], kinds: Kinds) -> list[dict[str, Any]]:
    """Every action's payload with its row, in the order given."""
    timeline = Timeline(actions, kinds)
    return [timeline.with_row(action) for action in actions]
