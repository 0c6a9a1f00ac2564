"""Feed freshness on the open page, against a live simulated match: a stopped listener, a
feed gone silent, a replay from the start; and the operators' admin list at 1,366 px."""

from __future__ import annotations

import datetime as dt
import time
import uuid
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor

import pytest
from django.conf import settings
from django.contrib.auth.models import User
from django.db import connections
from django.utils import timezone
from playwright.sync_api import Page, expect

from streams.feed import dispatch
from streams.feed.listener import Outcome, follow
from streams.models import Action, Fixture, FixtureStatus, ListenerState
from tests.browser.conftest import (
    LiveMatch,
    Pages,
    fixture_id_where,
    screenshot,
    wait_for,
    wait_until_true,
)
from tests.browser.silence import SilentProxy

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

StartLive = Callable[..., LiveMatch]
# What the issue allows: the watchdog period plus 5 s.
GRACE_SECONDS = 5.0


def bound() -> float:
    return float(settings.DDE_WATCHDOG_SECONDS) + GRACE_SECONDS


def open_live(pages: Pages, path: str) -> Page:
    page = pages.open(path)
    page.wait_for_selector('[data-connection="live"]', timeout=10_000)
    return page


def clock_of(page: Page) -> str:
    return page.inner_text("[data-clock]")


def clock_holds(page: Page) -> None:
    """The clock shows the same time over two seconds of its own redraws (four a second)."""
    before = clock_of(page)
    ticks = int(page.evaluate("window.matchCentre.ticks"))
    wait_until_true(page, f"window.matchCentre.ticks >= {ticks + 8}", timeout=10)
    assert clock_of(page) == before, "the clock ran on while the feed was not live"


def clock_running(match: LiveMatch) -> bool:
    fixture = match.refresh()
    return bool(fixture.current_period) and fixture.clock_state == "running"


def test_a_stopped_listener_turns_the_page_to_stopped_and_its_clock_stops(
    pages: Pages, live_match: StartLive
) -> None:
    fixture_id = fixture_id_where(lambda m: True)
    live = live_match(fixture_id, pace=120)
    page = open_live(pages, f"/fixtures/{fixture_id}/")
    wait_for(lambda: clock_running(live), timeout=30)
    wait_until_true(page, "document.querySelector('[data-clock]').textContent !== ''", 10)
    assert page.locator("[data-feed]").is_hidden()

    dispatch.request_stop(fixture_id)
    asked = time.monotonic()
    expect(page.locator("[data-feed]")).to_have_text("Updates stopped", timeout=bound() * 1000)
    assert time.monotonic() - asked <= bound()
    assert live.listener.result(timeout=10) is Outcome.STOPPED
    assert page.get_attribute("[data-match-centre]", "data-feed-live") == "false"
    clock_holds(page)
    screenshot(page, "freshness-stopped")


def test_a_silent_upstream_shows_delayed_and_recovers_by_itself(
    pages: Pages, live_match: StartLive
) -> None:
    proxies: list[SilentProxy] = []

    def through(ws_url: str) -> str:
        proxies.append(SilentProxy(ws_url).start())
        return proxies[-1].ws_url

    fixture_id = fixture_id_where(lambda m: True)
    try:
        live = live_match(fixture_id, pace=60, through=through)
        page = open_live(pages, f"/fixtures/{fixture_id}/")
        notice = page.locator("[data-feed]")
        wait_for(lambda: clock_running(live), timeout=30)
        wait_until_true(page, "document.querySelector('[data-clock]').textContent !== ''", 10)
        assert notice.is_hidden()
        page.evaluate("window.__notReloaded = true")

        # No close, no heartbeat, no answer to a new connection.
        proxies[0].silence()
        silent_from = time.monotonic()
        expect(notice).to_contain_text("Feed delayed — last update", timeout=bound() * 1000)
        assert time.monotonic() - silent_from <= bound()
        screenshot(page, "freshness-delayed")
        clock_holds(page)
        shown = int(page.evaluate("window.matchCentre.last"))

        # The feed returns: the listener reconnects by itself, and so does the page.
        proxies[0].resume()
        expect(notice).to_be_hidden(timeout=30_000)
        assert page.evaluate("window.matchCentre.feed.state") == "following"
        wait_until_true(page, f"window.matchCentre.last > {shown}", timeout=30)
        assert page.evaluate("window.__notReloaded") is True
    finally:
        for proxy in proxies:
            proxy.stop()


def test_a_page_whose_socket_is_alive_but_silent_turns_delayed_by_itself(
    pages: Pages, make_fixture: Callable[..., Fixture]
) -> None:
    # No listener at all: the payload says "following", and nothing ever comes.
    stale_after = float(settings.DDE_WATCHDOG_SECONDS) + 2  # as the page renders it
    fixture = make_fixture(
        status=FixtureStatus.LIVE,
        current_period=1,
        clock_time="10:00",
        clock_state="running",
        listener_state=ListenerState.LISTENING,
        last_frame_at=timezone.now() - dt.timedelta(seconds=max(stale_after - 4, 0)),
    )
    page = open_live(pages, f"/fixtures/{fixture.id}/")
    notice = page.locator("[data-feed]")
    expect(notice).to_contain_text("Feed delayed — last update", timeout=30_000)
    assert page.evaluate("window.matchCentre.centre.feedLog.length") == 0  # no message said so
    clock_holds(page)

    listing = open_live(pages, "/")
    row = listing.locator(f'[data-fixture-id="{fixture.id}"]')
    expect(row.locator('[data-field="feed"]')).to_contain_text("Feed delayed", timeout=10_000)


def replay_in_a_thread(fixture_id: uuid.UUID, enqueue: Callable[[uuid.UUID], None]) -> bool:
    try:
        return dispatch.replay_from_start(fixture_id, enqueue=enqueue)
    finally:
        connections.close_all()  # this thread's own


def test_replay_from_the_start_resets_an_open_page_without_a_reload(
    pages: Pages, live_match: StartLive
) -> None:
    fixture_id = fixture_id_where(lambda m: True)
    live = live_match(fixture_id, pace=300)
    page = open_live(pages, f"/fixtures/{fixture_id}/")
    wait_until_true(page, "window.matchCentre.last > 150", timeout=30)
    page.evaluate("window.__notReloaded = true")

    replays: list[Future[Outcome]] = []
    pool = ThreadPoolExecutor(2, thread_name_prefix="replay")

    def enqueue(fixture: uuid.UUID) -> None:
        replays.append(pool.submit(follow, fixture))

    try:
        # As a worker runs it: not in this thread, where Playwright's event loop runs.
        replay = pool.submit(replay_in_a_thread, fixture_id, enqueue)
        assert replay.result(timeout=40)
        assert live.listener.result(timeout=10) is Outcome.STOPPED
        wait_until_true(page, "window.matchCentre.centre.resets === 1", timeout=10)
        # Something came after the reset (the snapshot, it must be).
        after_reset = "window.matchCentre.log.findIndex((m) => m.type === 'reset')"
        wait_until_true(page, f"window.matchCentre.log.length > {after_reset} + 1", timeout=10)
        log = page.evaluate("window.matchCentre.log")
        reset_at = next(i for i, m in enumerate(log) if m["type"] == "reset")
        assert log[reset_at + 1]["type"] == "snapshot"  # then the new log from its start
        # The new log is followed to the end and drawn whole, on the same page.
        wait_for(lambda: replays and replays[0].done(), timeout=60)
        assert replays[0].result() is Outcome.FINISHED
        last = live.refresh().last_position
        wait_until_true(page, f"window.matchCentre.last === {last}", timeout=15)
        rows = page.locator("[data-timeline] > li").count()
        assert rows == Action.objects.filter(fixture_id=fixture_id).count()
        assert page.evaluate("window.__notReloaded") is True
    finally:
        if replays and not replays[0].done():
            dispatch.request_stop(fixture_id)
            replays[0].result(timeout=30)
        pool.shutdown()


def test_the_admin_fixture_list_is_readable_at_1366_px(
    pages: Pages, make_fixture: Callable[..., Fixture]
) -> None:
    make_fixture(
        home_team="Fairhaven Albion Wanderers Football Club",
        away_team="Newcomer Tester Town Athletic",
        listener_state=ListenerState.RECONNECTING,
        last_frame_at=timezone.now(),
        last_position=841,
    )
    make_fixture(home_team="Lions", away_team="Tigers", listener_state=ListenerState.LISTENING)
    User.objects.create_superuser("ops-staff", password="a long operator password")
    staff = pages.open("/admin/login/", width=1366, height=768)
    staff.fill("#id_username", "ops-staff")
    staff.fill("#id_password", "a long operator password")
    staff.click("input[type=submit]")
    staff.wait_for_selector("#user-tools")
    staff.goto(f"{pages.server}/admin/streams/fixture/")
    screenshot(staff, "admin-fixtures-1366")
    cells = staff.locator("td.field-listener_shown")
    assert cells.count() == 2
    # Nothing scrolled out of sight: the results box clips what does not fit.
    results = staff.locator("#changelist .results")
    clip = results.bounding_box()
    assert clip is not None
    for box in (cells.nth(i).bounding_box() for i in range(2)):
        assert box is not None and box["x"] + box["width"] <= clip["x"] + clip["width"], box
    assert results.evaluate("e => e.scrollWidth <= e.clientWidth")
    assert staff.evaluate("document.documentElement.scrollWidth") <= 1366
    assert "Reconnecting" in cells.nth(0).inner_text() + cells.nth(1).inner_text()
    name = staff.locator(".field-fixture_name .fixture-name").first
    line = float(name.evaluate("e => parseFloat(getComputedStyle(e).lineHeight) || 18"))
    assert (name.bounding_box() or {"height": 0})["height"] <= 2.5 * line
