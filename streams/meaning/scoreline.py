"""What a fixture's state reads as, on the pages and in the API: its status badges, the
label of its clock and the score after each period. ``static/streams/summary.js`` draws the
same badges and label for changes that arrive live."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from streams.models import Fixture, FixtureStatus

LIVE_STATUSES = (FixtureStatus.LIVE, FixtureStatus.SUSPENDED)


def badges(fixture: Fixture) -> list[tuple[str, str]]:
    """(css class, text) status badges; summary.js ``badgesOf()`` is the same rule."""
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
    if fixture.coverage_level:  # what the vendor covers: in venue, a stream, video...
        found.append(("coverage", f"Coverage: {fixture.coverage_level}"))
    return found


def _at_break(fixture: Fixture) -> bool:
    """Between periods: the last period listed has ended and the match has not."""
    periods = fixture.periods or []
    return bool(periods) and bool(periods[-1].get("end")) and not fixture.finished


# A shootout kick as the tally counts it: (team_is_home, outcome), the outcome being the
# kick's row detail ("scored", "missed" or "" when not known; streams/meaning/timeline.py).
Kick = tuple[bool | None, str]


def shootout_tally(fixture: Fixture, kicks: Sequence[Kick] = ()) -> tuple[int, int] | None:
    """(home, away) goals of the shootout: the Shootout period's own score when the feed
    gave it, else the kicks scored; None when there is no shootout (summary.js
    ``shootoutTally()`` is the same rule)."""
    periods = fixture.periods or []
    shootout = next((p for p in periods if p.get("type") == "Shootout"), None)
    if shootout is None and not kicks:
        return None
    if shootout is not None:
        home, away = shootout.get("home_period_score"), shootout.get("away_period_score")
        if _is_count(home) and _is_count(away):
            return home, away
    return (
        sum(1 for is_home, outcome in kicks if is_home is True and outcome == "scored"),
        sum(1 for is_home, outcome in kicks if is_home is False and outcome == "scored"),
    )


def _is_count(value: object) -> bool:
    # JSON's numbers as the browser's Number.isInteger() sees them (a bool is no count).
    return isinstance(value, int) and not isinstance(value, bool)


def shootout_winner(fixture: Fixture, kicks: Sequence[Kick] = ()) -> str | None:
    """ "Harbour Town win 5–4 on penalties", the winner's tally first; None if none won."""
    tally = shootout_tally(fixture, kicks)
    if tally is None or tally[0] == tally[1]:
        return None
    home, away = tally
    if home > away:
        return f"{fixture.home_team} win {home}–{away} on penalties"
    return f"{fixture.away_team} win {away}–{home} on penalties"


def period_label(fixture: Fixture, kicks: Sequence[Kick] = ()) -> str:
    """What the clock belongs to: "1st half", "Half-time", "Full time", the shootout's
    winner... (summary.js ``periodLabel()`` too). ``kicks``: for a shootout the feed gave
    no score for."""
    periods = fixture.periods or []
    if fixture.finished or fixture.status == FixtureStatus.COMPLETED:
        if not any(p.get("type") == "Shootout" for p in periods) and not kicks:
            return "Full time"
        return shootout_winner(fixture, kicks) or "After penalties"
    if _at_break(fixture):
        return "Half-time" if periods[-1].get("id") == 1 else "End of normal time"
    current = next((p for p in periods if p.get("id") == fixture.current_period), None)
    if current and current.get("label"):
        return _capitalised(str(current["label"]))
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
        label = _capitalised(str(period.get("label") or f"Period {period.get('id')}"))
        if period.get("end"):
            label = {1: "Half-time", 2: "Full time"}.get(period.get("id") or 0, label)
        rows.append((label, f"{period.get('home_score') or 0}–{period.get('away_score') or 0}"))
    return rows


def _capitalised(label: str) -> str:
    # The first letter only, as summary.js does: "extra Time" -> "Extra Time".
    return label[:1].upper() + label[1:]
