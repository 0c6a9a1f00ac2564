"""Pages: the fixture list and the match centre, rendered from Postgres for live JS to update."""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone

from streams import live
from streams.dde.values import SEND_TYPES
from streams.models import Action, Fixture, FixtureStatus

# type id -> (icon kind, key event). The browser gets this table as JSON, so the page and
# static/streams/match.js draw a row the same way; ids not listed are drawn as "other".
ACTION_KINDS: dict[int, tuple[str, bool]] = {
    1: ("info", False),
    2: ("colours", False),
    3: ("lineup", False),
    4: ("whistle", False),
    5: ("whistle", False),
    6: ("whistle", False),
    7: ("whistle", False),
    8: ("clock", False),
    9: ("clock", False),
    10: ("clock", False),
    13: ("sub", True),
    14: ("sub", True),
    15: ("possession", False),
    22: ("info", False),
    51: ("var", True),
    52: ("var", True),
    64: ("var", True),
    100: ("goal", True),
    101: ("shot-on", False),
    102: ("shot-off", False),
    103: ("corner", False),
    104: ("free-kick", False),
    105: ("offside", False),
    106: ("penalty", True),
    107: ("yellow", True),
    108: ("red", True),
    109: ("foul", False),
    110: ("attack", False),
    111: ("disallowed", True),
    112: ("restart", False),
    113: ("restart", False),
    114: ("shootout", True),
    115: ("restart", False),
}
GOAL_DISALLOWED = 111
VIDEO_CHECK_TYPES = (51, 52)
VIDEO_CHECK_OVER, DECISION_OVERTURNED = 52, 5202

LIVE_STATUSES = (FixtureStatus.LIVE, FixtureStatus.SUSPENDED)
# Not live and never going to be: listed with the finished ones.
ENDED_STATUSES = (
    FixtureStatus.COMPLETED,
    FixtureStatus.ABANDONED,
    FixtureStatus.CANCELLED,
    FixtureStatus.POSTPONED,
    FixtureStatus.UNVERIFIED,
)


@dataclass(frozen=True, slots=True)
class Row:
    """One timeline entry as drawn; match.js ``describe()`` computes the same fields."""

    action: Action
    clock: str
    kind: str
    key: bool
    side: str
    state: str
    title: str
    who: str
    note: str


def fixture_list(request: HttpRequest) -> HttpResponse:
    # The same fixtures as the websocket scoreboard, so live updates land on rows shown.
    board = live.scoreboard_fixtures()
    sections: dict[str, list[Fixture]] = {"live": [], "upcoming": [], "finished": []}
    for fixture in board:
        sections[section_of(fixture)].append(fixture)
    sections["finished"].reverse()  # the most recent first
    return render(
        request,
        "streams/fixture_list.html",
        {
            "sections": [
                ("live", "Live now", "No match is live.", _with_badges(sections["live"])),
                ("upcoming", "Upcoming", "Nothing scheduled.", _with_badges(sections["upcoming"])),
                (
                    "finished",
                    "Recently finished",
                    "No match finished lately.",
                    _with_badges(sections["finished"]),
                ),
            ],
            "fixtures_payload": [fixture.to_payload() for fixture in board],
            "now": timezone.now(),
        },
    )


def section_of(fixture: Fixture) -> str:
    """Where the list shows a fixture (fixtures.js moves rows by match.js ``sectionOf()``)."""
    if fixture.finished or fixture.status in ENDED_STATUSES:
        return "finished"
    return "live" if fixture.status in LIVE_STATUSES else "upcoming"


def _with_badges(fixtures: list[Fixture]) -> list[tuple[Fixture, list[tuple[str, str]]]]:
    return [(fixture, badges(fixture)) for fixture in fixtures]


def fixture_detail(request: HttpRequest, fixture_id: uuid.UUID) -> HttpResponse:
    fixture = get_object_or_404(Fixture, pk=fixture_id)
    # Read after the fixture, so the actions are at least as new as ``last_position``: the
    # socket resumes from there, and re-sending a newer action is harmless (it replaces).
    actions = list(
        Action.objects.filter(fixture=fixture).order_by(
            "timeline_sequence", "fixture_seq_num", "first_position"
        )
    )
    last_position = -1 if fixture.last_position is None else fixture.last_position
    return render(
        request,
        "streams/fixture_detail.html",
        {
            "fixture": fixture,
            "actions": actions,
            "rows": timeline_rows(actions),
            "last_position": last_position,
            "badges": badges(fixture),
            "period_label": period_label(fixture),
            "period_scores": period_scores(fixture.periods),
            "fixture_payload": fixture.to_payload(),
            "actions_payload": [action.to_payload() for action in actions],
            "action_kinds": {str(type_id): kind for type_id, kind in ACTION_KINDS.items()},
            "rendered_at": timezone.now(),
        },
    )


def badges(fixture: Fixture) -> list[tuple[str, str]]:
    """(css class, text) status badges; match.js ``badgesOf()`` is the same rule."""
    found: list[tuple[str, str]] = []
    if fixture.collection_status == "CollectionDropped":
        found.append(("dropped", "Collection dropped"))
    if fixture.status == FixtureStatus.SUSPENDED or (
        fixture.collection_status == "CollectionSuspended"
    ):
        found.append(("suspended", "Suspended"))
    if fixture.finished or fixture.status == FixtureStatus.COMPLETED:
        found.append(("finished", "Finished"))
    elif fixture.status == FixtureStatus.LIVE:
        found.append(("halftime", "Half-time") if _at_break(fixture) else ("live", "Live"))
    elif fixture.status == FixtureStatus.SCHEDULED:
        found.append(("scheduled", "Scheduled"))
    if fixture.status not in (*LIVE_STATUSES, FixtureStatus.COMPLETED, FixtureStatus.SCHEDULED):
        found.append(("other", fixture.status))
    return found


def _at_break(fixture: Fixture) -> bool:
    """Between periods: the last period listed has ended and the match has not."""
    periods = fixture.periods or []
    return bool(periods) and bool(periods[-1].get("end")) and not fixture.finished


def period_label(fixture: Fixture) -> str:
    """What the clock belongs to: "1st half", "Half-time", "Full time"... (match.js too)."""
    periods = fixture.periods or []
    if fixture.finished or fixture.status == FixtureStatus.COMPLETED:
        shootout = any(p.get("type") == "Shootout" for p in periods)
        return "After penalties" if shootout else "Full time"
    if _at_break(fixture):
        return "Half-time" if periods[-1].get("id") == 1 else "End of normal time"
    current = next((p for p in periods if p.get("id") == fixture.current_period), None)
    if current and current.get("label"):
        return str(current["label"]).capitalize()
    if fixture.status == FixtureStatus.SCHEDULED:
        return "Not started"
    return ""


def period_scores(periods: Iterable[dict[str, Any]]) -> list[tuple[str, str]]:
    """(label, score) per period: cumulative after each half, the tally of a shootout."""
    rows: list[tuple[str, str]] = []
    for period in periods or []:
        if period.get("type") == "Shootout":
            home, away = period.get("home_period_score"), period.get("away_period_score")
            rows.append(("Penalties", f"{home or 0}–{away or 0}"))
            continue
        label = str(period.get("label") or f"Period {period.get('id')}").capitalize()
        if period.get("end"):
            label = {1: "Half-time", 2: "Full time"}.get(period.get("id") or 0, label)
        rows.append((label, f"{period.get('home_score') or 0}–{period.get('away_score') or 0}"))
    return rows


def timeline_rows(actions: list[Action]) -> list[Row]:
    """Every action drawn as a row, in one pass plus an index of who points at whom."""
    pointing: dict[str, list[Action]] = defaultdict(list)
    checks: list[Action] = []
    for action in actions:
        for target in action.related_action_ids or []:
            pointing[str(target)].append(action)
        if action.type_id in VIDEO_CHECK_TYPES:
            checks.append(action)
    rows = []
    for action in actions:
        kind, key = ACTION_KINDS.get(action.type_id or 0, ("other", False))
        title = action.type_name or (
            "Action" if action.type_id is None else f"Action {action.type_id}"
        )
        if action.subtype_name:
            title = f"{title} · {action.subtype_name}"
        who = action.player_name or ""
        if action.team_name:
            who = f"{who} ({action.team_name})" if who else action.team_name
        state, note = _state_and_note(action, pointing, checks)
        side = "neutral" if action.team_is_home is None else _side(action.team_is_home)
        clock = action.clock_time if action.period else ""  # period 0: set-up, not play
        rows.append(Row(action, clock, kind, key, side, state, title, who, note))
    return rows


def _side(home: bool) -> str:
    return "home" if home else "away"


def _state_and_note(
    action: Action, pointing: dict[str, list[Action]], checks: list[Action]
) -> tuple[str, str]:
    if action.removed:
        return "removed", removal_reason(action, pointing[str(action.action_id)], checks)
    if action.restored:
        return "restored", "Restored"
    if action.send_type == "Pending":
        return "pending", "Provisional"
    if action.send_type == "Updated":
        return "updated", "Updated"
    return "confirmed", unknown_send_type(action)


def unknown_send_type(action: Action) -> str:
    """The vendor's sendType list is open-ended: one we do not know is shown by name."""
    if not action.send_type:
        return "" if action.send_type_id is None else f"Send type {action.send_type_id}"
    return "" if action.send_type in SEND_TYPES.values() else action.send_type


def removal_reason(action: Action, pointing: list[Action], checks: list[Action]) -> str:
    """Why a Cancelled or Deleted action is struck through (match.js ``reasonFor()``).

    A Goal Disallowed that lists it gives the reason; a video check for the same team
    between the action and its removal says it was decided on review.
    """
    reviewed = any(
        check.first_position > action.first_position
        and check.first_position < action.last_position
        and (not check.team_id or not action.team_id or check.team_id == action.team_id)
        for check in checks
    )
    for other in pointing:
        if other.type_id == GOAL_DISALLOWED and not other.removed:
            reason = f"Disallowed ({other.subtype_name})" if other.subtype_name else "Disallowed"
            return f"{reason} after a video check" if reviewed else reason
    overturned = any(
        check.type_id == VIDEO_CHECK_OVER
        and check.subtype_id == DECISION_OVERTURNED
        and action.first_position < check.first_position < action.last_position
        and (not check.team_id or not action.team_id or check.team_id == action.team_id)
        for check in checks
    )
    if overturned:
        return "Overturned after a video check"
    live_pointing = [other for other in pointing if not other.removed]
    if live_pointing:
        return live_pointing[0].type_name or "Replaced"
    return "Cancelled" if action.send_type == "Cancelled" else "Deleted"
