"""A long match in Chromium: the page draws only part of its timeline (streams/meaning/
page.py), and what arrives live still lands in its place."""

from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor

import pytest

from streams.catalogue import describe_stored
from streams.dde.messages import DataPacket, parse_frame
from streams.feed.writer import store_packets
from streams.meaning.page import RECENT_ROWS
from streams.viewers.broadcast import FixturePublisher
from tests.browser.conftest import Pages, wait_until_true
from tests.support.long_match import action_id, hostile_frame, hostile_packets, new_fixture

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ACTIONS = 1_100  # more than the page draws: the first hundred but its goal are left out

ROW_IDS = (
    "() => [...document.querySelectorAll('[data-timeline] > li')].map((li) => li.dataset.actionId)"
)


def test_changes_to_a_long_match_land_in_order_among_the_rows_the_page_drew(pages: Pages) -> None:
    fixture = new_fixture("A long live match")
    store_packets(fixture.id, hostile_packets(fixture.id, ACTIONS))
    ids = {seq: action_id(fixture.id, seq) for seq in range(1, ACTIONS + 2)}
    first_drawn = ACTIONS - RECENT_ROWS + 1

    page = pages.open(f"/fixtures/{fixture.id}/")
    page.wait_for_selector('[data-connection="live"]', timeout=10_000)
    # The goal of minute 0, then the newest rows; every action counted all the same.
    drawn = page.evaluate(ROW_IDS)
    assert drawn == [ids[5]] + [ids[seq] for seq in range(first_drawn, ACTIONS + 1)]
    assert page.evaluate("window.matchCentre.centre.actions.size") == ACTIONS
    assert page.locator(".log-link a").get_attribute("href") == f"/fixtures/{fixture.id}/actions/"

    # A new version of an action the page left out, and a new action, as a listener sends them.
    frames = [
        hostile_frame(fixture.id, 50, ACTIONS, "Updated", fixture_seq_num=ACTIONS + 1),
        hostile_frame(fixture.id, ACTIONS + 1, ACTIONS, fixture_seq_num=ACTIONS + 2),
    ]
    packets = [parse_frame(frame) for frame in frames]
    assert all(isinstance(p, DataPacket) for p in packets)
    result = describe_stored(fixture.id, store_packets(fixture.id, packets))
    # Published from another thread, as a listener would: Playwright's loop runs in this one.
    publish = FixturePublisher(fixture.id).publish(result.stored)
    with ThreadPoolExecutor(1) as pool:
        pool.submit(asyncio.run, publish).result(timeout=10)
    wait_until_true(page, f"window.matchCentre.last === {result.stored[-1].position}", timeout=10)

    # Each in its place in timeline order: the update before the next row drawn, not last.
    drawn = page.evaluate(ROW_IDS)
    assert drawn == [ids[5], ids[50]] + [ids[seq] for seq in range(first_drawn, ACTIONS + 2)]
    assert page.evaluate("window.matchCentre.centre.actions.size") == ACTIONS + 1
