"""Live matches end to end: simulator -> listener -> Postgres -> Redis -> uvicorn -> Chromium."""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from itertools import pairwise
from typing import Any

import pytest
from asgiref.sync import async_to_sync
from django.db import connections
from playwright.sync_api import Page

from streams.catalogue import describe_stored
from streams.feed import dispatch
from streams.feed.listener import Outcome
from streams.feed.writer import FixtureWriter
from streams.models import Action, Fixture, Packet
from streams.viewers import broadcast
from tests.browser.conftest import (
    LiveMatch,
    Pages,
    first_offset,
    fixture_id_where,
    screenshot,
    wait_for,
    wait_until_true,
)
from tests.conftest import arrived
from tests.support.packets import Feed

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

StartLive = Callable[..., LiveMatch]


def rows_of(page: Page, action_id: str) -> list[dict[str, Any]]:
    """Every state the page drew the action's row in, oldest first (see RECORDER)."""
    rows: list[dict[str, Any]] = page.evaluate("window.__rows")
    return [row for row in rows if row["id"] == action_id]


def received_ms(action_id: Any, send_type: str) -> float:
    """When the listener received the first packet of that version, in epoch ms."""
    packet = (
        Packet.objects.filter(action_id=action_id, payload__fixtureAction__sendType=send_type)
        .order_by("position")
        .first()
    )
    assert packet is not None
    return packet.received_at.timestamp() * 1000


def timeline_state(page: Page) -> list[list[str]]:
    """The timeline as drawn: id, state classes and text of every row, in page order."""
    state: list[list[str]] = page.evaluate(
        """() => [...document.querySelectorAll('[data-timeline] > li')].map((li) => [
            li.dataset.actionId,
            [...li.classList].filter((c) => c !== 'fresh').join(' '),
            li.textContent])"""
    )
    return state


def header_state(page: Page) -> list[str]:
    return [page.inner_text(s) for s in ("[data-score]", "[data-period]", "[data-badges]")]


def drawn_as(page: Page, action_id: str, wanted: Callable[[list[str]], bool]) -> bool:
    """The page has drawn the action's row with classes ``wanted`` accepts."""
    return any(wanted(row["cls"].split()) for row in rows_of(page, action_id))


def open_live(pages: Pages, path: str) -> Page:
    page = pages.open(path)
    page.wait_for_selector('[data-connection="live"]', timeout=10_000)
    return page


def test_a_goal_appears_within_a_second_of_being_stored(
    pages: Pages, live_match: StartLive
) -> None:
    fixture_id = fixture_id_where(
        lambda m: first_offset(m, 100, "Pending") > 1.5 and first_offset(m, 100, "Confirmed") < 5
    )
    live = live_match(fixture_id)
    page = open_live(pages, f"/fixtures/{fixture_id}/")

    goals = Action.objects.filter(fixture=live.fixture, type_id=100)
    wait_for(lambda: goals.exclude(send_type="Pending").exists(), timeout=20)
    goal = goals.exclude(send_type="Pending").order_by("first_position").first()
    assert goal is not None
    # Drawn late is caught below, from the times the page drew each state at.
    wait_for(lambda: drawn_as(page, str(goal.action_id), lambda c: "pending" not in c), 10)

    drawn = rows_of(page, str(goal.action_id))
    assert drawn, "the goal never appeared live"
    assert drawn[0]["t"] - received_ms(goal.action_id, "Pending") < 1000
    confirmed = next(row for row in drawn if "pending" not in row["cls"].split())
    assert confirmed["t"] - received_ms(goal.action_id, "Confirmed") < 1000
    screenshot(page, "match-live")


def test_a_pending_card_becomes_confirmed_in_place(pages: Pages, live_match: StartLive) -> None:
    fixture_id = fixture_id_where(lambda m: 1.5 < first_offset(m, 107, "Pending") < 5)
    live = live_match(fixture_id)
    page = open_live(pages, f"/fixtures/{fixture_id}/")

    cards = Action.objects.filter(fixture=live.fixture, type_id__in=(107, 108))
    wait_for(lambda: cards.filter(send_type="Confirmed").exists(), timeout=20)
    card = cards.filter(send_type="Confirmed").order_by("first_position").first()
    assert card is not None
    wait_for(lambda: drawn_as(page, str(card.action_id), lambda c: "confirmed" in c), 10)

    drawn = rows_of(page, str(card.action_id))
    states = [row["cls"].split() for row in drawn]
    assert "pending" in states[0], "the card was first drawn as provisional"
    assert any("confirmed" in classes for classes in states[1:])
    assert len({row["node"] for row in drawn}) == 1, "the row was replaced, not changed"
    row = page.locator(f'[data-action-id="{card.action_id}"]')
    assert row.count() == 1
    assert "Provisional" not in row.inner_text()


def test_a_goal_disallowed_after_a_video_check_is_struck_through_and_the_score_goes_back(
    pages: Pages, live_match: StartLive
) -> None:
    fixture_id = fixture_id_where(
        lambda m: m.has_disallowed_goal and 1.5 < first_offset(m, 111, "Confirmed") < 8
    )
    live = live_match(fixture_id)
    page = open_live(pages, f"/fixtures/{fixture_id}/")

    wait_for(lambda: Action.objects.filter(fixture=live.fixture, type_id=111).exists(), 20)
    disallowing = Action.objects.get(fixture=live.fixture, type_id=111)
    goal_id = disallowing.related_action_ids[0]
    wait_for(lambda: Action.objects.get(fixture=live.fixture, action_id=goal_id).removed, 10)
    goal = Action.objects.get(fixture=live.fixture, action_id=goal_id)
    row = page.locator(f'[data-action-id="{goal_id}"]')
    page.wait_for_selector(f'[data-action-id="{goal_id}"].removed', timeout=1000)

    assert "after a video check" in row.locator(".note").inner_text()
    assert "Disallowed" in row.locator(".note").inner_text()
    assert "line-through" in row.locator(".title").evaluate(
        "e => getComputedStyle(e).textDecorationLine"
    )
    side = 0 if goal.team_is_home else 1
    shown = [[int(n) for n in s["text"].split("–")] for s in page.evaluate("window.__scores")]
    went_back = any(later[side] == earlier[side] - 1 for earlier, later in pairwise(shown))
    assert went_back, f"the score never went back: {shown}"
    screenshot(page, "match-disallowed-goal")


def test_a_reload_mid_match_shows_the_same_timeline(pages: Pages, live_match: StartLive) -> None:
    fixture_id = fixture_id_where(lambda m: m.has_card_upgrade and m.has_restored_goal)
    live = live_match(fixture_id, pace=300)
    page = open_live(pages, f"/fixtures/{fixture_id}/")

    wait_for(lambda: (live.refresh().last_position or 0) > 250, timeout=30)
    dispatch.request_stop(fixture_id)  # freeze the match mid-way
    assert live.listener.result(timeout=10) is Outcome.STOPPED
    last = live.refresh().last_position
    # Shown, and the folds of routine actions redrawn too (drawn 50 ms after a burst).
    shown = f"window.matchCentre.last === {last} && !window.matchCentre.drawing"
    wait_until_true(page, shown, timeout=5)
    before = timeline_state(page), header_state(page)

    page.reload()
    page.wait_for_selector('[data-connection="live"]', timeout=10_000)

    assert (timeline_state(page), header_state(page)) == before
    assert len(before[0]) == Action.objects.filter(fixture=live.fixture).count()


def test_a_cut_websocket_resumes_with_no_duplicate_and_no_gap(
    pages: Pages, live_match: StartLive
) -> None:
    fixture_id = fixture_id_where(lambda m: m.has_disallowed_goal and m.has_card_upgrade)
    live = live_match(fixture_id)
    page = open_live(pages, f"/fixtures/{fixture_id}/")
    loaded_at = int(page.get_attribute("[data-match-centre]", "data-last-position") or -1)

    wait_for(lambda: (live.refresh().last_position or 0) > 150, timeout=20)
    page.evaluate("window.matchCentre.drop()")
    page.wait_for_selector('[data-connection="reconnecting"]', timeout=1000)
    wait_for(lambda: (live.refresh().last_position or 0) > 400, timeout=20)
    pages.expect_console_error("WebSocket connection to")  # Chromium logs the failed retry
    page.context.set_offline(True)
    page.evaluate("window.matchCentre.drop()")
    # Offline while the match moves on: changes the page has to catch up on once back.
    cut_at = live.refresh().last_position or 0
    wait_for(lambda: (live.refresh().last_position or 0) > cut_at + 50, timeout=20)
    assert page.evaluate("window.matchCentre.last") < cut_at + 50, "nothing was missed"
    page.context.set_offline(False)

    assert live.listener.result(timeout=30) is Outcome.FINISHED
    page.wait_for_selector('[data-connection="finished"]', timeout=10_000)
    log: list[dict[str, Any]] = page.evaluate("window.matchCentre.log")
    covered = loaded_at
    for message in log:
        if message["type"] == "change":
            assert message["position"] == message["before"] + 1, f"duplicate or gap: {message}"
        else:
            assert message["after"] == message["before"], "resumed from the last position seen"
            assert message["position"] >= message["before"]
        covered = max(covered, message["position"])
    assert covered == live.refresh().last_position
    assert sum(m["type"] == "snapshot" for m in log) >= 3  # the first and two resumes

    upgraded = Action.objects.get(fixture=live.fixture, type_id=108, send_type="Updated")
    drawn = rows_of(page, str(upgraded.action_id))
    assert len({row["node"] for row in drawn}) == 1, "the yellow card was replaced, not changed"
    card = page.locator(f'[data-action-id="{upgraded.action_id}"]')
    assert card.locator("use").get_attribute("href") == "#i-red"
    assert "updated" in (card.get_attribute("class") or "").split()

    resumed = timeline_state(page), header_state(page)
    fresh = pages.open(f"/fixtures/{fixture_id}/")
    fresh.wait_for_selector('[data-connection="finished"]')
    assert (timeline_state(fresh), header_state(fresh)) == resumed


def test_the_list_page_score_changes_live(pages: Pages, live_match: StartLive) -> None:
    fixture_id = fixture_id_where(lambda m: 1.5 < first_offset(m, 100, "Confirmed") < 6)
    live = live_match(fixture_id, lead_seconds=3)
    page = open_live(pages, "/")
    row = f'[data-fixture-id="{fixture_id}"]'
    assert page.locator(f'[data-section-list="upcoming"] {row}').count() == 1

    page.wait_for_selector(f'[data-section-list="live"] {row}', timeout=10_000)
    score = page.locator(f'{row} [data-field="score"]')
    wait_until_true(
        page,
        f"document.querySelector('{row} [data-field=score]').textContent !== '0–0'",
        timeout=10,
    )
    page.locator(row).scroll_into_view_if_needed()
    screenshot(page, "list-live")
    assert live.listener.result(timeout=30) is Outcome.FINISHED
    final = live.refresh()
    page.wait_for_selector(f'[data-section-list="finished"] {row}', timeout=5000)
    assert score.inner_text() == f"{final.home_score}–{final.away_score}"


def test_the_match_clock_runs_between_packets_and_follows_clock_actions(
    pages: Pages, make_fixture: Callable[..., Fixture]
) -> None:
    first_half = {"id": 1, "label": "1st half", "type": "Regular", "end": None}
    fixture = make_fixture(
        status="Live", current_period=1, clock_time="23:10", clock_state="running",
        periods=[first_half],
    )  # fmt: skip
    feed, writer = Feed(fixture.id), FixtureWriter(fixture.id)
    publisher = broadcast.FixturePublisher(fixture.id)

    def publish(type_id: int, name: str, clock: str, **action: Any) -> None:
        def store_and_publish() -> None:
            packet = feed.packet(
                str(uuid.uuid4()), "Confirmed", type_id, name, clockTime=clock, **action
            )
            try:
                # As the listener stores: the actions come back described as rows.
                result = describe_stored(fixture.id, writer.store(arrived([packet])))
                async_to_sync(publisher.publish)(result.stored)
            finally:
                connections.close_all()

        # Not in this thread: Playwright's event loop counts as running here.
        ThreadPoolExecutor(1).submit(store_and_publish).result(timeout=10)

    page = open_live(pages, f"/fixtures/{fixture.id}/")

    def shown() -> str:
        return page.inner_text("[data-clock]")

    def shows(text: str) -> None:
        wait_until_true(page, f"document.querySelector('[data-clock]').textContent === '{text}'")

    def runs_past(text: str) -> None:
        """The clock moves on from ``text`` with no packet (it ticks once a second)."""
        expression = f"document.querySelector('[data-clock]').textContent > '{text}'"
        wait_until_true(page, expression, timeout=5)

    runs_past(shown())  # the clock runs between packets
    publish(9, "Stop Clock", "23:30")
    shows("23:30")
    time.sleep(1.2)  # the time is what this checks: longer than a tick, and no tick
    assert shown() == "23:30", "a stopped clock stays"
    publish(10, "Adjust Clock", "23:25", metadata={"adjustmentSeconds": -5})
    shows("23:25")
    time.sleep(1.2)  # the time is what this checks: longer than a tick, and no tick
    assert shown() == "23:25", "an adjustment does not start the clock"
    publish(8, "Start Clock", "23:25")
    runs_past("23:25")
