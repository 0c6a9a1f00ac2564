"""Pages: the fixture list and the match centre, rendered from Postgres for live JS to update."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone

from streams import catalogue, live
from streams.meaning.drawing import CLOCK_KINDS, STATS_RULES
from streams.models import Fixture, FixtureStatus

LIVE_STATUSES = (FixtureStatus.LIVE, FixtureStatus.SUSPENDED)
# Not live and never going to be: listed with the finished ones.
ENDED_STATUSES = (
    FixtureStatus.COMPLETED,
    FixtureStatus.ABANDONED,
    FixtureStatus.CANCELLED,
    FixtureStatus.POSTPONED,
    FixtureStatus.UNVERIFIED,
)


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
    actions = catalogue.describe_actions(
        fixture.pk, list(catalogue.timeline_actions(fixture.pk)), all_of_them=True
    )
    last_position = -1 if fixture.last_position is None else fixture.last_position
    return render(
        request,
        "streams/fixture_detail.html",
        {
            "fixture": fixture,
            "actions": actions,
            "last_position": last_position,
            "badges": badges(fixture),
            "period_label": period_label(fixture),
            "period_scores": period_scores(fixture.periods),
            "fixture_payload": fixture.to_payload(),
            # What the browser counts live, by kind: the rules are written once, here.
            "stats_rules": {**STATS_RULES, "clock": CLOCK_KINDS},
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
    if fixture.coverage_level:  # what the vendor covers: in venue, a stream, video...
        found.append(("coverage", f"Coverage: {fixture.coverage_level}"))
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
