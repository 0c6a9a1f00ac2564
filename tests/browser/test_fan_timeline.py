"""The timeline as fans read it, in Chromium: minutes as fans write them, the running
score on goals, kick-off and half-time bands, the commentary with routine play folded,
and a scoreboard that lays out on a phone."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page

from streams.catalogue import timeline_actions
from streams.meaning.kinds import kind_from_name
from tests.browser.conftest import Pages, finished_match, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

FAN_MINUTE = re.compile(r"(\d+'|\d+\+\d+'|Pens|)")

ROWS = """() => [...document.querySelectorAll('[data-timeline] > li')].map((li) => ({
  id: li.dataset.actionId,
  kind: li.dataset.kind,
  minute: li.querySelector('.t').textContent,
  running: li.querySelector('.running').textContent,
  said: li.querySelector('.said').textContent,
  folded: li.querySelector('.folded').textContent,
  visible: li.offsetParent !== null,
  saidVisible: li.querySelector('.said').offsetParent !== null,
}))"""


def rows_of(page: Page) -> list[dict[str, object]]:
    return list(page.evaluate(ROWS))


@pytest.mark.parametrize("width", [1366, 390])
def test_the_commentary_tells_the_match_with_minutes_scores_and_routine_play_folded(
    pages: Pages, width: int
) -> None:
    fixture = finished_match("has_disallowed_goal")
    stored = list(timeline_actions(fixture.id))

    page = pages.open(f"/fixtures/{fixture.id}/", width=width, height=900)
    page.wait_for_selector('[data-connection="finished"]')
    page.click("label[for=view-said]")
    page.wait_for_selector(".action .folded:not(:empty)")
    rows = rows_of(page)

    # Every action is drawn in the server's order; minutes read as fans write them.
    assert [r["id"] for r in rows] == [str(a.action_id) for a in stored]
    assert all(FAN_MINUTE.fullmatch(str(r["minute"])) for r in rows)
    assert any("+" in str(r["minute"]) for r in rows)  # stoppage time: 45+2'
    # Shown: the told actions, each as its sentence; routine play is folded into counts.
    shown = [r for r in rows if r["visible"]]
    assert shown and all(r["said"] and r["saidVisible"] for r in shown)
    routine = [r for r in rows if not r["said"]]
    folded = sum(int(str(r["folded"]).split()[0]) for r in shown if r["folded"])
    first_told = next(i for i, r in enumerate(rows) if r["said"])
    assert folded == len([r for r in rows[first_told:] if not r["said"]]) and routine
    # Goals that stand carry the score they made, counted here from the stored actions.
    home = away = 0
    for action, row in zip(stored, rows, strict=True):
        if kind_from_name(action.type_name).value == "goal" and not action.removed:
            home, away = (home + 1, away) if action.team_is_home else (home, away + 1)
            assert row["running"] == f"{home}–{away}"
    assert (home, away) == (fixture.home_score, fixture.away_score)
    bands = [r for r in shown if r["kind"] in ("start_period", "end_period", "end_match")]
    assert [b["said"] for b in bands][:2] == ["Kick-off", "Half-time"]
    assert bands[-1]["said"] == "Full time" and bands[-1]["running"] == f"{home}–{away}"
    screenshot(page, f"commentary-{width}")


@pytest.mark.parametrize("width", [390, 360])
def test_the_scoreboard_keeps_both_teams_on_one_line_on_a_phone(pages: Pages, width: int) -> None:
    fixture = finished_match("has_shootout")
    fixture.home_team = "Ironbridge Orient Wanderers Athletic"
    fixture.away_team = "Oakham Athletic and Rutland Borough United"
    fixture.save(update_fields=["home_team", "away_team"])

    page = pages.open(f"/fixtures/{fixture.id}/", width=width, height=800)
    page.wait_for_selector('[data-connection="finished"]')

    boxes = [page.locator(f".scoreboard .teams {part}").bounding_box() for part in
             (".team.home", ".versus", ".team.away")]  # fmt: skip
    assert all(boxes)
    middles = [box["y"] + box["height"] / 2 for box in boxes if box]
    assert max(middles) - min(middles) < 4, middles  # one line: no dangling "v"
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    # Long names are shortened on screen, whole in their title.
    home = page.locator(".scoreboard .team.home .name")
    assert home.evaluate("e => e.scrollWidth > e.clientWidth")
    assert home.get_attribute("title") == fixture.home_team
    screenshot(page, f"scoreboard-phone-{width}")
