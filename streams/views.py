"""Pages: the fixture list and the match centre, rendered from Postgres for live JS to update."""

from __future__ import annotations

import uuid

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone

from streams import catalogue
from streams.meaning.drawing import CLOCK_KINDS, STATS_RULES
from streams.meaning.scoreline import LIVE_STATUSES, badges, period_label, period_scores
from streams.models import Fixture, FixtureStatus
from streams.viewers import days, snapshots

# Not live and never going to be: listed with the finished ones.
ENDED_STATUSES = (
    FixtureStatus.COMPLETED,
    FixtureStatus.ABANDONED,
    FixtureStatus.CANCELLED,
    FixtureStatus.POSTPONED,
    FixtureStatus.UNVERIFIED,
)


def fixture_list(request: HttpRequest) -> HttpResponse:
    """The live board (no ``day``) or one day's fixtures, in sections, grouped by day."""
    zone, zone_name = days.parse_zone(request.GET.get("tz"))
    try:
        day = days.parse_day(request.GET.get("day"))
    except days.BadDay:
        return bad_day(request, request.GET.get("day", ""))
    now = timezone.now()
    today = now.astimezone(zone).date()
    # The live board shows what the websocket scoreboard sends, so live updates land on
    # rows shown; a day's page shows its own fixtures (fixtures.js adds no others).
    shown = snapshots.scoreboard_fixtures() if day is None else days.fixtures_of_day(day, zone)
    sections: dict[str, list[Fixture]] = {"live": [], "upcoming": [], "finished": []}
    for fixture in shown:
        sections[section_of(fixture)].append(fixture)
    sections["finished"].reverse()  # the most recent first

    def section(key: str, title: str, empty: str) -> tuple[str, str, str, list[days.DayGroup]]:
        return key, title, empty, days.group_by_day(_with_badges(sections[key]), zone, today)

    bounds = days.bounds(day, zone) if day is not None else None
    return render(
        request,
        "streams/fixture_list.html",
        {
            "sections": [
                section("live", "Live now", "No match is live."),
                section("upcoming", "Upcoming", "Nothing scheduled."),
                section(
                    "finished",
                    "Recently finished" if day is None else "Finished",
                    "No match finished lately." if day is None else "No match finished.",
                ),
            ],
            "day": day,
            "day_label": days.day_label(day, today) if day is not None else "",
            "day_bounds": bounds,
            "day_links": days.day_links(day, today, zone_name),
            "zone_name": zone_name,
            "fixtures_payload": [fixture.to_payload() for fixture in shown],
            "now": now,
        },
    )


def bad_day(request: HttpRequest, value: str) -> HttpResponse:
    """400: a ``day`` that is not a date, said plainly, with the way back to the list."""
    return render(
        request,
        "errors/page.html",
        {
            "title": "Not a day",
            "heading": "That is not a day we can show",
            "message": f"“{value}” is not a date. Days are written year-month-day, "
            "for example 2026-12-06.",
        },
        status=400,
    )


def section_of(fixture: Fixture) -> str:
    """Where the list shows a fixture (fixtures.js moves rows by summary.js ``sectionOf()``)."""
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
