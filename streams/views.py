"""Pages: the fixture list and the match centre, rendered from Postgres for live JS to update."""

from __future__ import annotations

import uuid
from typing import Any

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.utils.safestring import mark_safe

from streams import catalogue
from streams.meaning import lineups, page
from streams.meaning.commentary import TOLD_KINDS
from streams.meaning.drawing import CLOCK_KINDS, STATS_RULES
from streams.meaning.kinds import ActionKind
from streams.meaning.rows import rows_html
from streams.meaning.running import running_scores
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
    actions = catalogue.describe_payloads(
        fixture.pk, catalogue.timeline_payloads(fixture.pk), all_of_them=True
    )
    rows = page.rows_shown(actions)
    last_position = -1 if fixture.last_position is None else fixture.last_position
    return render(
        request,
        "streams/fixture_detail.html",
        {
            "fixture": fixture,
            "rows": rows,
            # Every value escaped by rows.py (a template include per row was too slow).
            "rows_html": mark_safe(rows_html(rows, running_scores(actions))),
            "rows_left_out": len(rows) < len(actions),
            "recent_rows": page.RECENT_ROWS,
            "action_count": len(actions),
            # Every action, but only what the browser counts with (streams/meaning/page.py).
            "counted_actions": page.counted(actions),
            "panels": lineups.panels(actions),
            "last_position": last_position,
            "badges": badges(fixture),
            "period_label": period_label(fixture, _kicks(actions)),
            "period_scores": period_scores(fixture.periods),
            "fixture_payload": fixture.to_payload(),
            # What the browser counts live, by kind: the rules are written once, here.
            "stats_rules": {
                **STATS_RULES,
                "clock": CLOCK_KINDS,
                "told": sorted(kind.value for kind in TOLD_KINDS),  # commentary.js folds the rest
            },
            "rendered_at": timezone.now(),
        },
    )


def _kicks(actions: list[dict[str, Any]]) -> list[tuple[bool | None, str]]:
    """The shootout's kicks that stand, for a winner the feed gave no shootout score for."""
    return [
        (a["team_is_home"], a["row"]["detail"])
        for a in actions
        if a["row"]["kind"] == ActionKind.SHOOTOUT_KICK.value and not a["removed"]
    ]


def fixture_actions(request: HttpRequest, fixture_id: uuid.UUID) -> HttpResponse:
    """Every action of a match in timeline order, ``LOG_PAGE_ROWS`` a page: the whole log,
    which the match page leaves out of a long match (streams/meaning/page.py)."""
    fixture = get_object_or_404(Fixture, pk=fixture_id)
    paginator = Paginator(catalogue.timeline_actions(fixture.pk), page.LOG_PAGE_ROWS)
    # A page number that is not one shows the nearest page, as Django's admin does.
    shown = paginator.get_page(request.GET.get("page"))
    # Rows read the fixture's explaining actions where they need them, as snapshots do.
    rows = catalogue.describe_actions(fixture.pk, list(shown.object_list), all_of_them=False)
    return render(
        request,
        "streams/fixture_actions.html",
        {
            "fixture": fixture,
            "rows": rows,
            # Escaped by rows.py; no running score: a page of the log does not hold the goals
            # before it.
            "rows_html": mark_safe(rows_html(rows, {})),
            "shown": shown,
            "paginator": paginator,
        },
    )
