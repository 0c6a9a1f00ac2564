"""A match page whose own websocket dies without a word (a frozen web server, a phone whose
network went: no close ever comes) gives it up once the feed turns stale by the page's
clock, connects again, and resumes from the last position it shows: no gap, no duplicate."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import pytest
from django.conf import settings
from playwright.sync_api import Browser, expect

from tests.browser.conftest import LiveMatch, Pages, fixture_id_where, wait_for, wait_until_true
from tests.browser.silence import SilentProxy

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# The page waits a random part of 10 s before it gives up on a socket (static/streams/
# freshness.js SilenceCheck), so that a silent server's viewers do not all come back at once.
SPREAD_SECONDS = 10.0


def test_a_silent_socket_is_given_up_and_the_page_resumes_by_position(
    browser: Browser, server: str, live_match: Callable[..., LiveMatch]
) -> None:
    fixture_id = fixture_id_where(lambda m: True)
    live = live_match(fixture_id, pace=60)
    # Between the browser and the web process: pages and websockets both go through it.
    proxy = SilentProxy(server.replace("http://", "ws://", 1)).start()
    pages = Pages(browser, f"http://127.0.0.1:{proxy.port}")
    try:
        page = pages.open(f"/fixtures/{fixture_id}/")
        page.wait_for_selector('[data-connection="live"]', timeout=10_000)
        loaded_at = int(page.get_attribute("[data-match-centre]", "data-last-position") or -1)
        wait_for(lambda: (live.refresh().last_position or 0) > loaded_at + 5, timeout=30)
        wait_until_true(page, f"window.matchCentre.last > {loaded_at + 5}", timeout=10)
        assert page.evaluate("window.matchCentre.feed.state") == "following"

        # The page's socket goes silent: no byte, no close; a new connection gets nothing.
        proxy.silence()
        silent_from = time.monotonic()
        stale_after = float(settings.DDE_WATCHDOG_SECONDS) + 2
        limit = stale_after + SPREAD_SECONDS + 5
        with page.expect_websocket(timeout=limit * 1000) as attempt:
            wait_until_true(page, "window.matchCentre.silenceDrops >= 1", limit)
        assert time.monotonic() - silent_from >= stale_after - 1  # not before the feed was stale
        # Its new attempt, at once (the old socket never reports its close): held by the proxy.
        assert f"/ws/fixtures/{fixture_id}/?after=" in attempt.value.url
        shown = int(page.evaluate("window.matchCentre.last"))
        assert (live.refresh().last_position or 0) > shown, "the match went on meanwhile"

        # The way through comes back (the held attempt is cut): the page connects again and
        # catches up from the last position it shows.
        pages.expect_console_error("WebSocket")  # Chromium reports the attempt cut off
        proxy.resume()
        wait_until_true(page, f"window.matchCentre.last > {shown}", timeout=30)
        expect(page.locator("[data-feed]")).to_be_hidden(timeout=10_000)
        assert page.evaluate("window.matchCentre.silenceDrops") == 1
        log: list[dict[str, Any]] = page.evaluate("window.matchCentre.log")
        for message in log:
            if message["type"] == "change":
                assert message["position"] == message["before"] + 1, f"duplicate or gap: {message}"
            else:
                assert message["after"] == message["before"], "resumed from the last position seen"
        assert [m["type"] for m in log].count("snapshot") >= 2  # the first and the resume
    finally:
        for context in pages.contexts:
            context.close()
        proxy.stop()
    assert not pages.unexpected_errors(), pages.unexpected_errors()
