"""The fixture list's days: ?day= and ?tz=, fixtures grouped by day, a bad day refused."""

from __future__ import annotations

import datetime as dt
import re
import zoneinfo
from collections.abc import Callable

import pytest
from django.test import Client
from django.utils import timezone

from streams.models import Fixture
from streams.viewers import days

pytestmark = pytest.mark.django_db


def groups(html: str) -> list[tuple[str, str, list[str]]]:
    """(section, day, fixture ids) for each day group of the page, in page order."""
    found = []
    body = html.split('<template id="day-group">')[0]
    for section in re.split(r'<section class="section ', body)[1:]:
        name = section.split('"')[0]
        for part in re.split(r'data-day-group="', section)[1:]:
            found.append((name, part.split('"')[0], re.findall(r'data-fixture-id="([^"]+)"', part)))
    return found


def test_a_day_page_lists_that_days_fixtures_by_the_zone_asked_for(
    client: Client, make_fixture: Callable[..., Fixture]
) -> None:
    london = zoneinfo.ZoneInfo("Europe/London")  # UTC+0 in December
    tokyo = zoneinfo.ZoneInfo("Asia/Tokyo")  # UTC+9
    late = make_fixture(kickoff=dt.datetime(2026, 12, 6, 20, 0, tzinfo=london))  # 7 Dec in Tokyo
    early = make_fixture(kickoff=dt.datetime(2026, 12, 6, 9, 0, tzinfo=tokyo))  # 6 Dec both
    make_fixture(kickoff=dt.datetime(2026, 12, 7, 9, 0, tzinfo=london))

    in_utc = client.get("/?day=2026-12-06").content.decode()
    in_tokyo = client.get("/?day=2026-12-06&tz=Asia/Tokyo").content.decode()

    assert groups(in_utc) == [("upcoming", "2026-12-06", [str(early.id), str(late.id)])]
    assert groups(in_tokyo) == [("upcoming", "2026-12-06", [str(early.id)])]
    day_from = re.search(r'data-day-from="([^"]+)"', in_tokyo)
    assert day_from and dt.datetime.fromisoformat(day_from[1]) == dt.datetime(
        2026, 12, 6, tzinfo=tokyo
    )
    assert "Kick-off times in <span data-zone-name>Asia/Tokyo</span>" in in_tokyo


def test_the_live_board_groups_each_section_by_day(
    client: Client, make_fixture: Callable[..., Fixture]
) -> None:
    now = timezone.now()
    today = now.date()
    midnight = dt.datetime.combine(today, dt.time(), dt.UTC)
    tomorrow = make_fixture(kickoff=midnight + dt.timedelta(days=1, hours=12))
    day_after = make_fixture(kickoff=midnight + dt.timedelta(days=2) + (now - midnight) / 2)
    # Within the board's last 24 hours, either side of midnight: today's and yesterday's.
    ended_today = make_fixture(
        kickoff=midnight + (now - midnight) / 2, status="Completed", finished=True
    )
    ended = make_fixture(
        kickoff=midnight - (midnight - (now - dt.timedelta(days=1))) / 2,
        status="Completed",
        finished=True,
    )

    html = client.get("/").content.decode()

    assert groups(html) == [
        ("upcoming", (today + dt.timedelta(days=1)).isoformat(), [str(tomorrow.id)]),
        ("upcoming", (today + dt.timedelta(days=2)).isoformat(), [str(day_after.id)]),
        ("finished", today.isoformat(), [str(ended_today.id)]),
        ("finished", (today - dt.timedelta(days=1)).isoformat(), [str(ended.id)]),
    ]
    assert f"Tomorrow, {tomorrow.kickoff:%a} {tomorrow.kickoff.day} {tomorrow.kickoff:%b}" in html


@pytest.mark.parametrize("days_off", [0, 1, 10, -10])
def test_the_day_links_go_to_yesterday_today_and_tomorrow(client: Client, days_off: int) -> None:
    # Today in Paris, whatever the hour in UTC; a day shown further off brings its own
    # neighbours.
    today = timezone.now().astimezone(zoneinfo.ZoneInfo("Europe/Paris")).date()
    shown = today + dt.timedelta(days=days_off)
    html = client.get(f"/?day={shown.isoformat()}&tz=Europe/Paris").content.decode()

    links = re.findall(
        r'<a href="\?day=([\d-]+)&amp;tz=Europe%2FParis" data-day-offset="(-?\d+)"', html
    )
    wanted = {today + dt.timedelta(days=n) for n in (-1, 0, 1)}
    if abs(days_off) > 1:
        wanted |= {shown + dt.timedelta(days=n) for n in (-1, 0, 1)}
    assert sorted(dt.date.fromisoformat(day) for day, _ in links) == sorted(wanted)
    for day, offset in links:
        assert (dt.date.fromisoformat(day) - today).days == int(offset)
    assert re.search(r'data-day-offset="-?\d+" aria-current="page">[^<]*</a>', html)
    assert html.count('aria-current="page"') == 1


@pytest.mark.parametrize(
    "day",
    ["tomorrow", "2026-13-01", "2026-02-30", "20261206", "2026-W49-7", "0001-01-01", " 2026-12-06"],
)
def test_a_bad_day_is_a_400_that_says_how_to_write_one(client: Client, day: str) -> None:
    response = client.get("/", {"day": day})

    assert response.status_code == 400
    html = response.content.decode()
    assert "is not a date" in html and "2026-12-06" in html
    assert 'href="/"' in html  # the way back


def test_a_bad_day_is_shown_escaped(client: Client) -> None:
    response = client.get("/", {"day": "<script>alert(1)</script>"})
    assert response.status_code == 400
    assert b"<script>alert(1)" not in response.content
    assert b"&lt;script&gt;alert(1)&lt;/script&gt;" in response.content


def test_an_unknown_zone_falls_back_to_utc_and_says_so(client: Client) -> None:
    html = client.get("/", {"day": "2026-12-06", "tz": "Mars/Olympus_Mons"}).content.decode()
    assert 'data-zone="UTC"' in html
    assert "Kick-off times in <span data-zone-name>UTC</span>" in html


def test_kickoff_times_are_rendered_in_utc_and_named_so(
    client: Client, make_fixture: Callable[..., Fixture]
) -> None:
    make_fixture(kickoff=dt.datetime(2026, 12, 6, 19, 45, tzinfo=dt.UTC))
    html = client.get("/", {"day": "2026-12-06", "tz": "America/New_York"}).content.decode()
    assert (
        '<time data-field="kickoff" data-local="kickoff" datetime="2026-12-06T19:45:00+00:00">'
        "Sun 6 Dec, 19:45 UTC</time>"
    ) in html


def test_feed_strings_in_a_row_are_escaped(
    client: Client, make_fixture: Callable[..., Fixture]
) -> None:
    make_fixture(home_team="<img src=x onerror=alert(1)>", kickoff=timezone.now())
    html = client.get("/").content.decode().split('<script id="fixtures-data"')[0]
    assert "<img src=x" not in html
    assert "&lt;img src=x onerror=alert(1)&gt;" in html


def test_day_labels_say_today_yesterday_and_tomorrow() -> None:
    today = dt.date(2026, 12, 6)
    assert days.day_label(today, today) == "Today, Sun 6 Dec"
    assert days.day_label(dt.date(2026, 12, 5), today) == "Yesterday, Sat 5 Dec"
    assert days.day_label(dt.date(2026, 12, 7), today) == "Tomorrow, Mon 7 Dec"
    assert days.day_label(dt.date(2027, 1, 1), today) == "Fri 1 Jan"


def test_a_day_spans_23_or_25_hours_when_the_clocks_change() -> None:
    london = zoneinfo.ZoneInfo("Europe/London")
    # Compared as instants: aware datetimes of one zone subtract as wall times.
    for day, hours in [(dt.date(2026, 3, 29), 23), (dt.date(2026, 10, 25), 25)]:
        start, end = days.bounds(day, london)
        assert end.astimezone(dt.UTC) - start.astimezone(dt.UTC) == dt.timedelta(hours=hours)
