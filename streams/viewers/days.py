"""The fixture list's days: which day a page shows, in which zone, its fixtures by day.

A day is a calendar day in a time zone: the viewer's, when the page's JavaScript has
sent it as ``tz`` (static/streams/fixtures.js), else UTC. Without ``day`` the list is
the live board (the websocket scoreboard's window), grouped by the same days.
"""

from __future__ import annotations

import datetime as dt
import re
import zoneinfo
from collections.abc import Iterable
from dataclasses import dataclass
from urllib.parse import urlencode

from django.db.models import Q

from streams.models import Fixture

UTC = zoneinfo.ZoneInfo("UTC")
# Exactly YYYY-MM-DD: date.fromisoformat alone also takes "20261206" and "2026-W49-7".
DAY_PATTERN = re.compile(r"\d{4}-\d{2}-\d{2}")
# Far enough for any fixture; keeps the day before and after inside datetime's range.
FIRST_YEAR, LAST_YEAR = 1900, 9998


class BadDay(ValueError):
    """A ``day`` parameter that is not a date written YYYY-MM-DD."""


def parse_day(value: str | None) -> dt.date | None:
    """The date in ``day``; None without one. Raises BadDay for anything else."""
    if value is None:
        return None
    if not DAY_PATTERN.fullmatch(value):
        raise BadDay(value)
    try:
        day = dt.date.fromisoformat(value)
    except ValueError as error:
        raise BadDay(value) from error
    if not FIRST_YEAR <= day.year <= LAST_YEAR:
        raise BadDay(value)
    return day


def parse_zone(value: str | None) -> tuple[dt.tzinfo, str]:
    """The zone named by ``tz`` and its name; UTC for none, or for a name not known here
    (the browser's list of zones and the server's tzdata can differ)."""
    if value:
        try:
            return zoneinfo.ZoneInfo(value), value
        except (ValueError, zoneinfo.ZoneInfoNotFoundError):
            pass
    return UTC, "UTC"


def bounds(day: dt.date, zone: dt.tzinfo) -> tuple[dt.datetime, dt.datetime]:
    """The first instant of ``day`` in ``zone`` and the first of the next day."""
    start = dt.datetime.combine(day, dt.time(), zone)
    end = dt.datetime.combine(day + dt.timedelta(days=1), dt.time(), zone)
    return start, end


def fixtures_of_day(day: dt.date, zone: dt.tzinfo) -> list[Fixture]:
    """The fixtures kicking off on ``day`` in ``zone``, in kick-off order."""
    start, end = bounds(day, zone)
    return list(Fixture.objects.filter(Q(kickoff__gte=start, kickoff__lt=end)).order_by("kickoff"))


def day_label(day: dt.date, today: dt.date) -> str:
    """The server's heading for a day, as times.js dayLabel words it: "Today, Sun 6 Dec"."""
    text = f"{day:%a} {day.day} {day:%b}"
    relative = {-1: "Yesterday", 0: "Today", 1: "Tomorrow"}.get((day - today).days)
    return f"{relative}, {text}" if relative else text


@dataclass(frozen=True)
class DayGroup:
    key: str  # YYYY-MM-DD, as times.js dayKey
    label: str
    rows: list[tuple[Fixture, list[tuple[str, str]]]]


def group_by_day(
    rows: Iterable[tuple[Fixture, list[tuple[str, str]]]], zone: dt.tzinfo, today: dt.date
) -> list[DayGroup]:
    """Rows (in the order wanted) in runs of one day each, in ``zone``."""
    groups: list[DayGroup] = []
    for fixture, fixture_badges in rows:
        day = fixture.kickoff.astimezone(zone).date()
        if not groups or groups[-1].key != day.isoformat():
            groups.append(DayGroup(day.isoformat(), day_label(day, today), []))
        groups[-1].rows.append((fixture, fixture_badges))
    return groups


@dataclass(frozen=True)
class DayLink:
    href: str
    label: str
    offset: int  # days from today; fixtures.js re-aims the link at the viewer's own day
    current: bool


def day_links(shown: dt.date | None, today: dt.date, zone_name: str) -> list[DayLink]:
    """Yesterday, today and tomorrow, and the days either side of a day shown further off."""
    days = [today - dt.timedelta(days=1), today, today + dt.timedelta(days=1)]
    if shown is not None and shown not in days:
        days = sorted({*days, shown - dt.timedelta(days=1), shown, shown + dt.timedelta(days=1)})
    links = []
    for day in days:
        query = {"day": day.isoformat(), **({"tz": zone_name} if zone_name != "UTC" else {})}
        label = day_label(day, today).split(",")[0]
        links.append(DayLink(f"?{urlencode(query)}", label, (day - today).days, day == shown))
    return links
