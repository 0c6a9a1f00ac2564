"""The fixture list in Chromium: days in the viewer's own zone, times with the zone named,
day links, kit colours that stand out, and screenshots at 1,366 and 390 px."""

from __future__ import annotations

import datetime as dt
import re
import zoneinfo
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import parse_qs, urlparse

import pytest
from django.db import connections
from django.utils import timezone
from playwright.sync_api import Page

from streams.models import Fixture
from streams.viewers import broadcast
from tests.browser.conftest import Pages, finished_match, screenshot, wait_until_true
from tests.support.contrast import parse_rgb, ratio

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TOKYO = zoneinfo.ZoneInfo("Asia/Tokyo")  # UTC+9 all year: no clock change to step around
PAPER = (255, 255, 255)
BACK = (243, 245, 247)


def next_utc(hour: int) -> dt.datetime:
    """The next time it is ``hour``:00 UTC, at least ten minutes from now."""
    now = timezone.now()
    at = now.replace(hour=hour, minute=0, second=0, microsecond=0)
    return at if at > now + dt.timedelta(minutes=10) else at + dt.timedelta(days=1)


def group_of(page: Page, fixture: Fixture) -> str:
    row = page.locator(f'[data-fixture-id="{fixture.id}"]')
    return str(row.evaluate("li => li.closest('[data-day-group]').dataset.dayGroup"))


def test_rows_are_grouped_by_the_viewers_day_with_the_zone_named(
    pages: Pages, make_fixture: Callable[..., Fixture]
) -> None:
    # 20:00 UTC is 05:00 the next morning in Tokyo: a different day there than on the server.
    late = make_fixture(home_team="Late", away_team="Owls", kickoff=next_utc(20))
    early = make_fixture(home_team="Early", away_team="Larks", kickoff=next_utc(8))

    page = pages.open("/", timezone_id="Asia/Tokyo")
    page.wait_for_selector('[data-connection="live"]')

    tokyo_day = late.kickoff.astimezone(TOKYO).date()
    assert tokyo_day != late.kickoff.date()
    wait_until_true(page, f"document.querySelector('[data-day-group=\"{tokyo_day}\"]') !== null")
    assert group_of(page, late) == tokyo_day.isoformat()
    assert group_of(page, early) == early.kickoff.astimezone(TOKYO).date().isoformat()
    kickoff = page.locator(f'[data-fixture-id="{late.id}"] [data-field="kickoff"]')
    assert re.search(r"05:00\s*AM GMT\+9$", kickoff.inner_text()), kickoff.inner_text()
    assert page.locator("[data-zone-name]").inner_text() == "Asia/Tokyo"
    today = timezone.now().astimezone(TOKYO).date()
    heading = page.locator(f'[data-day-group="{tokyo_day}"] h3').inner_text()
    wanted = {0: "Today", 1: "Tomorrow"}.get((tokyo_day - today).days, "")
    assert heading.startswith(wanted), heading
    status = page.get_by_role("status").text_content() or ""
    assert " ".join(status.split()) == "Live updates: connected"
    # No group left behind empty by the move, and each row is in exactly one place.
    assert page.locator("[data-day-group]:not(:has([data-fixture-id]))").count() == 0
    assert page.locator(f'[data-fixture-id="{late.id}"]').count() == 1


def test_the_day_links_lead_to_the_viewers_days_and_a_day_keeps_to_itself(
    pages: Pages, make_fixture: Callable[..., Fixture]
) -> None:
    late = make_fixture(home_team="Late", away_team="Owls", kickoff=next_utc(20))
    page = pages.open("/", timezone_id="Asia/Tokyo")
    page.wait_for_selector('[data-connection="live"]')
    today = timezone.now().astimezone(TOKYO).date()

    links = page.locator("[data-day-nav] [data-day-offset]")
    for i in range(links.count()):
        query = parse_qs(urlparse(links.nth(i).get_attribute("href") or "").query)
        offset = int(links.nth(i).get_attribute("data-day-offset") or "")
        assert query == {"day": [str(today + dt.timedelta(days=offset))], "tz": ["Asia/Tokyo"]}

    # A day's page asked for without the zone asks again with the viewer's.
    tokyo_day = late.kickoff.astimezone(TOKYO).date()
    page.goto(f"{pages.server}/?day={tokyo_day}")
    page.wait_for_url(re.compile(r"tz=Asia%2FTokyo"))
    page.wait_for_selector('[data-connection="live"]')
    assert page.locator(f'[data-fixture-id="{late.id}"]').count() == 1
    assert page.locator('[data-day-nav] [aria-current="page"]').count() == 1
    # The server's UTC day of the same date would not have it: the zone made the difference.
    other = pages.open(f"/?day={tokyo_day}&tz=UTC", timezone_id="UTC")
    other.wait_for_selector('[data-connection="live"]')
    assert other.locator(f'[data-fixture-id="{late.id}"]').count() == 0


def test_white_kits_stand_out_from_the_page_and_each_other(
    pages: Pages, make_fixture: Callable[..., Fixture]
) -> None:
    fixture = make_fixture(
        status="Live", kickoff=timezone.now(), home_colour="255, 255, 255",
        away_colour="250, 250, 250",
    )  # fmt: skip
    page = pages.open("/")
    page.wait_for_selector('[data-connection="live"]')
    row = page.locator(f'[data-fixture-id="{fixture.id}"]')

    def kit(side: str) -> tuple[int, int, int]:
        dot = row.locator(f'[data-field="{side}_kit"]')
        return parse_rgb(dot.evaluate("e => getComputedStyle(e).backgroundColor"))

    home, away = kit("home"), kit("away")
    for colour in (home, away):
        assert ratio(colour, PAPER) >= 3 and ratio(colour, BACK) >= 3, colour
    assert ratio(home, away) >= 3, (home, away)


def test_the_match_centres_bars_stand_out_with_white_and_near_white_kits(pages: Pages) -> None:
    fixture = finished_match("has_shootout")
    Fixture.objects.filter(pk=fixture.pk).update(
        home_colour="255, 255, 255", away_colour="245, 245, 245"
    )
    page = pages.open(f"/fixtures/{fixture.id}/", csp=True)
    page.wait_for_selector("[data-momentum] svg rect.bar.away")

    def painted(selector: str, prop: str) -> tuple[int, int, int]:
        css = page.locator(selector).first.evaluate(f"e => getComputedStyle(e).{prop}")
        return parse_rgb(css)

    # The momentum graph's bars are SVG: their colour is their fill.
    home = painted("[data-momentum] svg rect.bar.home", "fill")
    away = painted("[data-momentum] svg rect.bar.away", "fill")
    for colour in (home, away):
        assert ratio(colour, PAPER) >= 3 and ratio(colour, BACK) >= 3, colour
    assert ratio(home, away) >= 3, (home, away)
    # The names' chips are drawn in the same adjusted pair.
    assert painted(".scoreboard .team.home .name", "backgroundColor") == home


def a_weekend_of_fixtures(make_fixture: Callable[..., Fixture]) -> None:
    now = timezone.now()
    finished_match("has_suspension", hours_ago=20)
    finished_match("has_shootout", hours_ago=3)
    make_fixture(
        home_team="Alder Rovers", away_team="Brookfield Athletic", status="Live",
        kickoff=now - dt.timedelta(minutes=40), home_score=1, current_period=1,
        clock_time="38:12", clock_state="running", home_colour="200, 16, 46",
        away_colour="255, 255, 255",
    )  # fmt: skip
    for hours, home, away, colours in [
        (2, "Castle Town", "Dunmore Wanderers", ("253, 185, 19", "255, 102, 0")),
        (26, "Eastleigh Harriers", "Fenwick Vale", ("0, 56, 168", "135, 206, 235")),
        (30, "Glenmoor United", "Hartfield", ("10, 10, 10", "5, 52, 13")),
    ]:
        make_fixture(
            home_team=home, away_team=away, kickoff=now + dt.timedelta(hours=hours),
            home_colour=colours[0], away_colour=colours[1],
        )  # fmt: skip


@pytest.mark.parametrize(("width", "height"), [(1366, 900), (390, 844)])
def test_the_list_grouped_by_day_fits_and_is_kept_as_a_screenshot(
    pages: Pages, make_fixture: Callable[..., Fixture], width: int, height: int
) -> None:
    a_weekend_of_fixtures(make_fixture)
    page = pages.open("/", width=width, height=height)
    page.wait_for_selector('[data-connection="live"]')
    assert page.locator("[data-day-group]").count() >= 3  # today, tomorrow, yesterday at least
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    screenshot(page, f"list-by-day-{width}")
    page.screenshot(path=f"test-artifacts/list-by-day-{width}-full.png", full_page=True)


def publish_score(fixture: Fixture) -> None:
    """The scoreboard's ``score`` message for the fixture as stored now, as a sync or a
    replay sends it; from another thread (Playwright's event loop runs in this one)."""

    def send() -> None:
        try:
            fixture.refresh_from_db()
            broadcast.publish_reset(fixture.id, fixture.to_payload())
        finally:
            connections.close_all()

    ThreadPoolExecutor(1).submit(send).result(timeout=10)


def test_live_messages_move_rows_between_days_and_sections(
    pages: Pages, make_fixture: Callable[..., Fixture]
) -> None:
    now = timezone.now()
    midnight = dt.datetime.combine(now.date(), dt.time(), dt.UTC)
    tomorrow = (now.date() + dt.timedelta(days=1)).isoformat()
    moving = make_fixture(kickoff=now + (midnight + dt.timedelta(days=1) - now) / 2)
    page = pages.open("/", timezone_id="UTC")
    page.wait_for_selector('[data-connection="live"]')
    today_group = f'[data-section="upcoming"] [data-day-group="{now.date()}"]'
    assert page.locator(f'{today_group} [data-fixture-id="{moving.id}"]').count() == 1

    # A fixture new to the page, on a day that has no group yet: the group is made.
    arriving = make_fixture(kickoff=midnight + dt.timedelta(days=1, hours=15))
    publish_score(arriving)
    tomorrow_group = f'[data-section="upcoming"] [data-day-group="{tomorrow}"]'
    page.wait_for_selector(f'{tomorrow_group} [data-fixture-id="{arriving.id}"]')
    assert page.locator(f"{tomorrow_group} h3").inner_text().startswith("Tomorrow")

    # Moved to tomorrow, before the other one: it leaves today's group, which goes.
    Fixture.objects.filter(pk=moving.pk).update(kickoff=midnight + dt.timedelta(days=1, hours=9))
    publish_score(moving)
    page.wait_for_selector(f'{tomorrow_group} [data-fixture-id="{moving.id}"]')
    ids = page.locator(f"{tomorrow_group} [data-fixture-id]").evaluate_all(
        "rows => rows.map((li) => li.dataset.fixtureId)"
    )
    assert ids == [str(moving.id), str(arriving.id)]
    assert page.locator(today_group).count() == 0
    assert page.locator('[data-empty="upcoming"]').is_hidden()

    # Finished: into the finished section's group for its day; upcoming keeps the other.
    Fixture.objects.filter(pk=arriving.pk).update(status="Completed", finished=True)
    publish_score(arriving)
    page.wait_for_selector(
        f'[data-section="finished"] [data-day-group="{tomorrow}"] [data-fixture-id="{arriving.id}"]'
    )
    assert page.locator(f'[data-fixture-id="{arriving.id}"]').count() == 1
    assert page.locator('[data-empty="finished"]').is_hidden()


def test_a_day_page_takes_no_row_of_another_day_from_live_messages(
    pages: Pages, make_fixture: Callable[..., Fixture]
) -> None:
    today = timezone.now().date()
    shown = make_fixture(kickoff=timezone.now() + dt.timedelta(minutes=1), status="Live")
    page = pages.open(f"/?day={today}&tz=UTC", timezone_id="UTC")
    page.wait_for_selector('[data-connection="live"]')

    other_day = make_fixture(kickoff=timezone.now() + dt.timedelta(days=1, hours=1))
    publish_score(other_day)
    Fixture.objects.filter(pk=shown.pk).update(home_score=3)
    publish_score(shown)  # sent after the other: once it is drawn, the other was skipped
    page.wait_for_selector(f'[data-fixture-id="{shown.id}"] [data-field="score"]:text("3–0")')
    assert page.locator(f'[data-fixture-id="{other_day.id}"]').count() == 0
