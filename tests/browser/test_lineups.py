"""The lineups and match info panels in Chromium: before kick-off, live, marked as the match
goes, without JavaScript and on a 360 px phone."""

from __future__ import annotations

import copy
import datetime as dt
import json
from collections.abc import Callable
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import Page

from streams.dde.messages import DataPacket, parse_frame
from streams.meaning.minutes import fan_minute
from streams.models import Action, Fixture
from streams.simulator import Match, generate_match
from streams.simulator import catalog as ct
from streams.simulator.teams import Team
from tests.browser.conftest import (
    LiveMatch,
    Pages,
    first_offset,
    fixture_id_where,
    screenshot,
    wait_for,
    wait_until_true,
)
from tests.conftest import match_packets, store_match

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

StartLive = Callable[..., LiveMatch]
SIDES = (("home", "home"), ("away", "away"))


def set_up_only() -> tuple[Match, Fixture]:
    """A match kicking off in an hour, stored up to kick-off: colours, conditions, lineups."""
    kickoff = (timezone.now() + dt.timedelta(hours=1)).replace(microsecond=0)
    match = generate_match(fixture_id_where(lambda m: True), kickoff)
    packets = [packet for packet in match_packets(match) if packet.action.period == 0]
    return match, store_match(match, packets)


def drawn_lineup(page: Page, side: str) -> dict[str, Any]:
    """What the panel shows of one team: the shape, the names on the pitch line by line
    (as read out: the full names), the substitutes."""
    drawn: dict[str, Any] = page.evaluate(
        """(side) => {
          const team = document.querySelector(`[data-lineup="${side}"]`);
          if (!team) return null;
          const names = (root) => [...root.querySelectorAll('.player .name')].map(
            (n) => (n.querySelector('.sr') || n).textContent);
          return {
            heading: team.querySelector('h3').textContent,
            shape: team.querySelector('.pitch') && team.querySelector('.pitch').dataset.shape,
            lines: [...team.querySelectorAll('.pitch > li')].map(
              (line) => [line.className, names(line)]),
            bench: names(team.querySelector('.bench') || document.createElement('ol')),
          };
        }""",
        side,
    )
    return drawn


def expected_lines(team: Team) -> list[list[Any]]:
    lines = {"Goalkeeper": "goalkeeper", "Defender": "defence", "Midfielder": "midfield",
             "Forward": "attack"}  # fmt: skip
    grouped: dict[str, list[str]] = {}
    for player in team.starters:
        grouped.setdefault(lines[player.position], []).append(player.name)
    return [[f"line {line}", grouped[line]] for line in ("goalkeeper", "defence", "midfield",
                                                          "attack")]  # fmt: skip


def conditions_sent(match: Match) -> dict[str, Any]:
    metadata: dict[str, Any] = next(
        p["fixtureAction"]["metadata"]
        for p in match.packets
        if p["fixtureAction"]["fixtureActionTypeId"] == ct.MATCH_CONDITIONS
    )
    return metadata


def scroll_to_lineups(page: Page) -> None:
    page.evaluate("document.querySelector('[data-lineups-panel]').scrollIntoView()")


def test_lineups_and_conditions_are_shown_before_kick_off_as_formations(pages: Pages) -> None:
    match, fixture = set_up_only()
    page = pages.open(f"/fixtures/{fixture.pk}/", width=1366)
    wait_until_true(page, "document.querySelectorAll('[data-lineup] .pitch').length === 2")

    for side, attribute in SIDES:
        team = getattr(match, attribute)
        drawn = drawn_lineup(page, side)
        assert drawn["heading"] == f"{team.name} 4-4-2"
        assert drawn["shape"] == "4-4-2"
        assert drawn["lines"] == expected_lines(team)
        assert drawn["bench"] == [player.name for player in team.bench]
    conditions = conditions_sent(match)
    info = page.inner_text("[data-match-info]")
    assert conditions["weather"] in info and conditions["pitchCondition"] in info
    assert f"{conditions['temperatureCelsius']} °C" in info
    assert page.locator("[data-match-info] time").get_attribute("datetime") == (
        fixture.kickoff.isoformat()
    )
    scroll_to_lineups(page)
    screenshot(page, "lineups-before-kick-off-1366")

    phone = pages.open(f"/fixtures/{fixture.pk}/", width=390, height=844)
    wait_until_true(phone, "document.querySelectorAll('[data-lineup] .pitch').length === 2")
    scroll_to_lineups(phone)
    screenshot(phone, "lineups-before-kick-off-390")


def test_the_panels_fit_a_360_pixel_phone(pages: Pages) -> None:
    _, fixture = set_up_only()
    page = pages.open(f"/fixtures/{fixture.pk}/", width=360, height=740)
    wait_until_true(page, "document.querySelectorAll('[data-lineup] .pitch').length === 2")
    overflowing = page.evaluate(
        """() => {
          const out = [];
          if (document.documentElement.scrollWidth > window.innerWidth) out.push('page');
          const panels = document.querySelectorAll('[data-lineups-panel], [data-match-info]');
          for (const panel of panels) {
            const box = panel.getBoundingClientRect();
            for (const el of panel.querySelectorAll('.player, .mark, dd, h3')) {
              const r = el.getBoundingClientRect();
              if (r.left < box.left - 0.5 || r.right > box.right + 0.5) out.push(el.textContent);
            }
          }
          return out;
        }"""
    )
    assert overflowing == []
    # Each of the starters has a name to read on the pitch, however narrow.
    widths = page.evaluate(
        "[...document.querySelectorAll('.pitch .name')].map((n) => n.getBoundingClientRect().width)"
    )
    assert len(widths) == 22 and min(widths) > 30


def test_without_javascript_the_lineups_are_lists(pages: Pages) -> None:
    match, fixture = set_up_only()
    page = pages.open(f"/fixtures/{fixture.pk}/", javascript=False)
    for side, attribute in SIDES:
        team = getattr(match, attribute)
        names = page.locator(f'[data-lineup="{side}"] .name').all_inner_texts()
        assert names == [player.name for player in (*team.starters, *team.bench)]
    assert page.locator("[data-lineups] .pitch").count() == 0
    assert "Starting eleven" in (page.text_content("[data-lineups-panel]") or "")


MARKUP = '<img src=x onerror="window.__injected=1">'


def test_names_the_feed_sent_are_shown_as_text_and_a_long_one_fits_a_phone(
    pages: Pages,
) -> None:
    kickoff = (timezone.now() + dt.timedelta(hours=1)).replace(microsecond=0)
    match = generate_match(fixture_id_where(lambda m: True), kickoff)
    packets: list[DataPacket] = []
    for sent in match.packets:
        if sent["fixtureAction"]["period"] != 0:
            break
        packet = copy.deepcopy(sent)
        players = (packet["fixtureAction"].get("metadata") or {}).get("players") or []
        for player in players[:2]:  # the goalkeeper and a defender: on the pitch
            player["name"] = f"{MARKUP}Ana {'W' * 300}"
            player["shirtNumber"] = "=1+1"
        for player in players[-1:]:  # and one on the bench
            player["name"] = f"<script>window.__injected=2</script>{'Long' * 50}"
        parsed = parse_frame(json.dumps(packet))
        assert isinstance(parsed, DataPacket)
        packets.append(parsed)
    fixture = store_match(match, packets)

    page = pages.open(f"/fixtures/{fixture.pk}/", width=360, height=740)
    wait_until_true(page, "document.querySelectorAll('[data-lineup] .pitch').length === 2")

    assert page.evaluate("window.__injected") is None
    assert page.locator("[data-lineups] img, [data-lineups] script").count() == 0
    keeper = page.locator('[data-lineup="home"] .line.goalkeeper .player')
    assert (keeper.locator(".sr").text_content() or "").startswith(MARKUP + "Ana W")
    assert keeper.locator(".shirt").text_content() == "=1+1"
    bench = page.locator('[data-lineup="home"] .bench .name').last.text_content() or ""
    assert bench.startswith("<script>") and bench.endswith("…") and len(bench) == 120
    scroll_to_lineups(page)
    screenshot(page, "lineups-hostile-names-360")
    overflowing = page.evaluate(
        """() => [...document.querySelectorAll('[data-lineups] .player')].filter((el) => {
          const box = el.closest('[data-lineup]').getBoundingClientRect();
          const r = el.getBoundingClientRect();
          return r.left < box.left - 0.5 || r.right > box.right + 0.5;
        }).map((el) => el.textContent)"""
    )
    assert overflowing == []
    assert page.evaluate("document.documentElement.scrollWidth") <= 360


def marks_on(page: Page, player_id: str) -> list[list[str]]:
    """The marks drawn on a player, wherever the player is listed: [mark, minute]."""
    marks: list[list[str]] = page.evaluate(
        """(id) => [...document.querySelectorAll(`[data-lineups] [data-player-id="${id}"] .mark`)]
             .map((m) => [m.dataset.mark, (m.querySelector('.min') || {}).textContent || ''])""",
        player_id,
    )
    return marks


def confirmed(fixture: Fixture, type_id: int) -> Action | None:
    found: Action | None = (
        Action.objects.filter(fixture=fixture, type_id=type_id, removed=False)
        .exclude(send_type="Pending")
        .exclude(player_id="")
        .order_by("first_position")
        .first()
    )
    return found


def test_lineups_arrive_live_and_goals_and_substitutions_are_marked_on_the_players(
    pages: Pages, live_match: StartLive
) -> None:
    # A goal and a substitution in the first 40 minutes (4 s at the suite's pace).
    fixture_id = fixture_id_where(
        lambda m: (
            first_offset(m, ct.GOAL, "Confirmed") < 4
            and first_offset(m, ct.SUBSTITUTION_IN, "Confirmed") < 4
        )
    )
    # At a quarter of the suite's pace the lineups come 2.3 s before kick-off, 4 s after
    # the page has opened.
    live = live_match(fixture_id, lead_seconds=6, pace=150)
    page = pages.open(f"/fixtures/{fixture_id}/", width=1366)
    page.wait_for_selector('[data-connection="live"]', timeout=10_000)
    assert Action.objects.filter(fixture=live.fixture, type_id=ct.LINEUPS).count() < 2
    assert page.locator("[data-lineup]").count() < 2

    wait_until_true(page, "document.querySelectorAll('[data-lineup] .pitch').length === 2")
    drawn_at = timezone.now()
    assert drawn_at < live.fixture.kickoff, "the lineups were shown before kick-off"
    assert drawn_lineup(page, "home")["lines"] == expected_lines(live.match.home)
    weather = conditions_sent(live.match)["weather"]
    wait_until_true(
        page, f"document.querySelector('[data-match-info]').textContent.includes({weather!r})"
    )

    wait_for(lambda: confirmed(live.fixture, ct.GOAL) is not None, timeout=40)
    wait_for(lambda: confirmed(live.fixture, ct.SUBSTITUTION_IN) is not None, timeout=40)
    goal, on = confirmed(live.fixture, ct.GOAL), confirmed(live.fixture, ct.SUBSTITUTION_IN)
    off = confirmed(live.fixture, ct.SUBSTITUTION_OUT)
    assert goal is not None and on is not None and off is not None
    wanted = {
        goal.player_id: ("goal", fan_minute(goal.period, goal.clock_time)),
        on.player_id: ("on", fan_minute(on.period, on.clock_time)),
        off.player_id: ("off", fan_minute(off.period, off.clock_time)),
    }

    def marked(shown: Page) -> bool:
        for player_id, (mark, minute) in wanted.items():
            marks = marks_on(shown, player_id)
            own_goal = mark == "goal" and ["own-goal", minute] in marks
            if [mark, minute] not in marks and not own_goal:
                return False
        return True

    wait_for(lambda: marked(page), timeout=10)
    scroll_to_lineups(page)
    screenshot(page, "lineups-marked-1366")

    # A page opened now marks them from the actions it was rendered with.
    phone = pages.open(f"/fixtures/{fixture_id}/", width=390, height=844)
    wait_until_true(phone, "document.querySelectorAll('[data-lineup] .pitch').length === 2")
    wait_for(lambda: marked(phone), timeout=10)
    # The live match goes on redrawing the panel: scrolled in one step, not through a handle.
    phone.evaluate(
        '(id) => document.querySelector(`[data-lineups] [data-player-id="${id}"]`)'
        ".scrollIntoView({block: 'center'})",
        goal.player_id,
    )
    screenshot(phone, "lineups-marked-390")
