"""The pages in Chromium without a live match: static files, JS off, stats, phone width."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import Page

from streams.meaning.commentary import DIVIDER_KINDS, TOLD_KINDS
from streams.meaning.drawing import KEY_KINDS
from streams.meaning.kinds import kind_from_name
from streams.models import Action
from streams.simulator import generate_match
from tests.browser.conftest import Pages, finished_match, fixture_id_where, screenshot
from tests.conftest import match_packets, store_match
from tests.support.contrast import is_shade_of, parse_rgb, ratio

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def visible_rows(page: Page) -> int:
    return int(page.locator("[data-timeline] > li:visible").count())


def rgb(colour: str) -> str:
    r, g, b = (int(part) for part in colour.split(","))
    return f"rgb({r}, {g}, {b})"


def test_daphne_serves_the_static_files(pages: Pages, server: str) -> None:
    page = pages.open("/")
    files = [("match.js", "javascript"), ("fixtures.js", "javascript"), ("site.css", "css")]
    for name, kind in files:
        response = page.request.get(f"{server}/static/streams/{name}")
        assert response.status == 200
        assert kind in response.headers["content-type"]


def test_the_history_is_readable_with_javascript_off(pages: Pages) -> None:
    fixture = finished_match("has_disallowed_goal")
    actions = Action.objects.filter(fixture=fixture)
    disallowing = actions.get(type_id=111)
    goal_id = disallowing.related_action_ids[0]

    page = pages.open(f"/fixtures/{fixture.id}/", javascript=False, csp=True)

    kinds = [kind_from_name(a.type_name) for a in actions]
    key_actions = sum(1 for kind in kinds if kind in KEY_KINDS)
    bands = sum(1 for kind in kinds if kind in DIVIDER_KINDS)  # kick-off, half-time...
    assert bands >= 4 and visible_rows(page) == key_actions + bands
    goal = page.locator(f'[data-action-id="{goal_id}"]')
    assert "line-through" in goal.locator(".title").evaluate(
        "e => getComputedStyle(e).textDecorationLine"
    )
    assert "after a video check" in goal.locator(".note").inner_text()
    assert page.locator("noscript").count() == 1
    screenshot(page, "match-without-javascript")
    page.click("label[for=view-said]")  # the switch is CSS: it works without JavaScript
    told = sum(1 for kind in kinds if kind in TOLD_KINDS)
    assert key_actions + bands < told == visible_rows(page) < actions.count()
    assert page.locator(".action.key .said:visible").count() == key_actions
    assert page.locator(".action .title:visible").count() == 0  # sentences instead


def test_before_any_key_event_the_key_view_says_so(pages: Pages) -> None:
    kickoff = timezone.now().replace(microsecond=0)
    match = generate_match(fixture_id_where(lambda m: True), kickoff)
    packets = match_packets(match)
    first_key = next(
        i for i, p in enumerate(packets) if kind_from_name(p.action.type_name) in KEY_KINDS
    )
    fixture = store_match(match, packets[:first_key])

    for javascript in (False, True):
        page = pages.open(f"/fixtures/{fixture.id}/", javascript=javascript)
        assert page.get_by_text("No key events yet.").is_visible()
        kinds = [kind_from_name(a.type_name) for a in Action.objects.filter(fixture=fixture)]
        assert visible_rows(page) == sum(1 for kind in kinds if kind in DIVIDER_KINDS)
        page.click("label[for=view-said]")
        assert not page.get_by_text("No key events yet.").is_visible()
        assert visible_rows(page) == sum(1 for kind in kinds if kind in TOLD_KINDS) > 0
        page.close()


def test_the_match_centre_draws_kits_stats_and_momentum_from_the_actions(pages: Pages) -> None:
    fixture = finished_match("has_shootout")
    actions = Action.objects.filter(fixture=fixture, removed=False)

    page = pages.open(f"/fixtures/{fixture.id}/", csp=True)  # finished: no socket
    page.wait_for_selector("[data-stats-rows] tr")

    def stat(label: str) -> list[str]:
        row = page.locator(f'[data-stats-rows] tr[data-stat="{label}"]')
        return [row.locator("td.home").inner_text(), row.locator("td.away").inner_text()]

    for label, type_id in [("Shots on target", 101), ("Corners", 103), ("Fouls", 109)]:
        expected = [actions.filter(type_id=type_id, team_is_home=h).count() for h in (True, False)]
        assert stat(label) == [str(n) for n in expected]
    home_share, away_share = (int(s.rstrip("%")) for s in stat("Possession"))
    assert home_share + away_share == 100 and 20 < home_share < 80
    attacks = actions.filter(type_id=110).count()
    bars = page.locator("[data-momentum] svg rect.bar")
    assert attacks and bars.count() > 0  # the graph is drawn from the actions, both sides
    assert page.locator("[data-momentum] svg rect.bar.home").count() > 0
    assert page.locator("[data-momentum] svg rect.bar.away").count() > 0
    # The home kit as sent, or a shade of it that stands out (static/streams/colours.js),
    # the same on the name as on the bars.
    name = page.locator(".scoreboard .team.home .name")
    chip = parse_rgb(name.evaluate("e => getComputedStyle(e).backgroundColor"))
    bar = page.locator("[data-momentum] svg rect.bar.home").first
    assert chip == parse_rgb(bar.evaluate("e => getComputedStyle(e).fill"))
    assert is_shade_of(chip, parse_rgb(fixture.home_colour)), (chip, fixture.home_colour)
    assert ratio(chip, (255, 255, 255)) >= 3
    assert page.locator("[data-periods]").inner_text().count("Penalties") == 1
    assert page.locator("[data-connection]").get_attribute("data-connection") == "finished"
    assert page.evaluate("window.__violations") == []
    screenshot(page, "match-finished")


def test_the_match_centre_fits_a_phone_screen(pages: Pages) -> None:
    fixture = finished_match("has_card_upgrade")
    page = pages.open(f"/fixtures/{fixture.id}/", width=390, height=844, csp=True)
    page.wait_for_selector("[data-stats-rows] tr")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    screenshot(page, "match-phone")


def test_the_list_shows_live_upcoming_and_finished_matches(pages: Pages, make_fixture: Any) -> None:
    now = timezone.now()
    finished = finished_match("has_suspension", hours_ago=4)
    live = make_fixture(
        home_team="Alder Rovers", away_team="Brookfield Athletic", status="Live",
        kickoff=now - dt.timedelta(minutes=40), home_score=1, current_period=1,
        clock_time="38:12", clock_state="running", home_colour="200, 16, 46",
        away_colour="255, 255, 255",
    )  # fmt: skip
    upcoming = make_fixture(
        home_team="Castle Town", away_team="Dunmore Wanderers",
        kickoff=now + dt.timedelta(minutes=25),
    )  # fmt: skip

    page = pages.open("/")
    page.wait_for_selector('[data-connection="live"]')

    for fixture, section in [(live, "live"), (upcoming, "upcoming"), (finished, "finished")]:
        row = page.locator(f'[data-section-list="{section}"] [data-fixture-id="{fixture.id}"]')
        assert row.count() == 1
    clock = page.locator(f'[data-fixture-id="{live.id}"] [data-field="clock"]').inner_text()
    assert re.fullmatch(r"38:1\d", clock)
    countdown = page.locator(f'[data-fixture-id="{upcoming.id}"] [data-field="countdown"]')
    assert re.fullmatch(r"in 2\d min \d\d s", countdown.inner_text())
    screenshot(page, "list")
