"""A finished match with a shootout in Chromium: the header names the winner, the
shootout grid has the kicks stored, and the momentum graph has the pressure and the goals
the stored actions give, in the side panel of a desktop and of a phone."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import Page

from streams.catalogue import describe_actions, timeline_actions
from streams.meaning.drawing import STATS_RULES
from streams.models import Fixture
from tests.browser.conftest import Pages, finished_match, screenshot, wait_until_true

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# What the page drew: the header, the grid row by row, the graph's bars and goals.
DRAWN = """() => {
  const grid = document.querySelector('[data-shootout-grid]');
  const graph = document.querySelector('[data-momentum] svg');
  return {
    period: document.querySelector('[data-period]').textContent,
    result: document.querySelector('[data-shootout-result]').textContent,
    hidden: document.querySelector('[data-shootout-panel]').hidden,
    kicks: Object.fromEntries(['home', 'away'].map((side) => [side,
      [...grid.querySelectorAll(`tr[data-side=${side}] td.kick:not(.none)`)]
        .map((td) => [td.dataset.outcome, td.textContent])])),
    sudden_death: grid.querySelectorAll('thead th.sudden-death').length,
    role: graph.getAttribute('role'),
    title: graph.querySelector(':scope > title').textContent,
    bars: [...graph.querySelectorAll('rect.bar')].map((r) =>
      [r.classList.contains('home') ? 'home' : 'away', Number(r.dataset.pressure),
       Number(r.getAttribute('height'))]),
    goals: [...graph.querySelectorAll('g.goal')].map((g) => [g.dataset.minute, g.dataset.side]),
    summary: document.querySelector('[data-momentum-summary]').textContent,
  };
}"""
# Words a kick's cell carries for screen readers (the symbol itself is aria-hidden).
SPOKEN = {"scored": "scored", "missed": "missed", "": "not known yet"}


def stored(fixture: Fixture) -> dict[str, Any]:
    """What the page should draw, from the stored actions and their rows on the server."""
    rows = describe_actions(fixture.id, list(timeline_actions(fixture.id)), all_of_them=True)
    shown = [a for a in rows if not a["removed"] and a["team_is_home"] is not None]
    side = {True: "home", False: "away"}
    kicks: dict[str, list[str]] = {"home": [], "away": []}
    for a in shown:
        if a["row"]["kind"] == "shootout_kick":
            kicks[side[a["team_is_home"]]].append(a["row"]["detail"])
    played = [a for a in shown if a["row"]["minute"] not in ("", "Pens")]  # no shootout
    weights = STATS_RULES["momentum"]["weights"]
    pressure = {
        s: sum(weights.get(a["row"]["kind"], 0) for a in played if side[a["team_is_home"]] == s)
        for s in ("home", "away")
    }
    goals = [
        [a["row"]["minute"], side[a["team_is_home"]]] for a in played if a["row"]["kind"] == "goal"
    ]
    return {"kicks": kicks, "pressure": pressure, "goals": goals}


def winner_label(fixture: Fixture) -> str:
    shootout = next(p for p in fixture.periods if p["type"] == "Shootout")
    home, away = shootout["home_period_score"], shootout["away_period_score"]
    assert home != away
    team = fixture.home_team if home > away else fixture.away_team
    return f"{team} win {max(home, away)}–{min(home, away)} on penalties"


def drawn(page: Page) -> dict[str, Any]:
    wait_until_true(page, "window.matchCentre && !window.matchCentre.drawing")
    page.wait_for_selector("[data-momentum] svg rect.bar", state="attached")
    result: dict[str, Any] = page.evaluate(DRAWN)
    return result


def side_panels_in_view(page: Page, name: str) -> None:
    page.evaluate("document.querySelector('[data-momentum-panel]').scrollIntoView()")
    screenshot(page, name)


def test_a_finished_shootout_shows_its_winner_its_kicks_and_its_momentum(pages: Pages) -> None:
    fixture = finished_match("has_shootout")
    expected = stored(fixture)
    label = winner_label(fixture)

    page = pages.open(f"/fixtures/{fixture.id}/", width=1366, csp=True)  # finished: no socket
    seen = drawn(page)

    assert seen["period"] == label and seen["result"] == label
    assert not seen["hidden"]
    # The grid: every stored kick not removed, each team's in the order taken.
    assert {side: [o for o, _ in cells] for side, cells in seen["kicks"].items()} == expected[
        "kicks"
    ]
    assert all(
        SPOKEN[outcome] in text for cells in seen["kicks"].values() for outcome, text in cells
    )
    taken = max(len(k) for k in expected["kicks"].values())
    assert taken >= 5 and seen["sudden_death"] == taken - 5
    # The graph: the stored pressure, side by side, and a marker for every stored goal.
    for side in ("home", "away"):
        mine = [(pressure, height) for s, pressure, height in seen["bars"] if s == side]
        assert sum(pressure for pressure, _ in mine) == expected["pressure"][side] > 0
        assert all(height > 0 for _, height in mine)
    assert seen["goals"] == expected["goals"] and expected["goals"]
    assert seen["role"] == "img" and fixture.home_team in seen["title"]
    assert all(f"{minute} (" in seen["summary"] for minute, _ in expected["goals"])
    assert page.evaluate("window.__violations") == []
    side_panels_in_view(page, "momentum-shootout-1366")

    # The page as rendered, without JavaScript, names the same winner.
    plain = pages.open(f"/fixtures/{fixture.id}/", javascript=False)
    assert plain.locator("[data-period]").inner_text() == label
    assert "needs JavaScript" in plain.locator("[data-momentum-summary]").inner_text()


@pytest.mark.parametrize("width", [390, 360])
def test_the_momentum_and_shootout_panels_fit_a_phone(pages: Pages, width: int) -> None:
    fixture = finished_match("has_shootout")
    page = pages.open(f"/fixtures/{fixture.id}/", width=width, height=800, csp=True)
    drawn(page)

    sizes = page.evaluate("""() => ({
      page: document.documentElement.scrollWidth,
      panel: document.querySelector('[data-momentum-panel]').getBoundingClientRect().width,
      graph: document.querySelector('[data-momentum] svg').getBoundingClientRect().width,
      grid: document.querySelector('[data-shootout-panel] .grid-box').getBoundingClientRect().right,
    })""")
    assert sizes["page"] <= width  # nothing makes the page scroll sideways
    assert sizes["graph"] >= sizes["panel"] - 40 > 250  # the graph takes the panel's width
    assert sizes["grid"] <= width
    if width == 390:
        side_panels_in_view(page, "momentum-shootout-390")
