"""The match centre on a feed numbered as the vendor's may be: meaning comes from names.

The vendor documents few soccer type ids (docs/action-types.md), so the same match must
look the same whatever the ids it arrives with, and a type nobody has seen yet must be
shown by its name and mean what staff say it means.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.utils import timezone
from playwright.sync_api import Page

from streams.models import Action, ActionType, Fixture
from streams.simulator import MatchVariant, generate_match
from streams.simulator.numbering import SHIFTED_NUMBERING, VENDOR_DOCUMENTED_TYPE_IDS
from tests.browser.conftest import LiveMatch, Pages, fixture_id_where, wait_until_true
from tests.conftest import match_packets, store_match
from tests.support.waiting import wait_for

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

StartLive = Callable[..., LiveMatch]
PASSWORD = "catalogue-staff-password-1"

# What a viewer sees, and every row the page holds (the websocket's, or the page's own).
DRAWN = """() => {
  const rows = [...document.querySelectorAll('[data-timeline] > li')];
  return {
    timeline: rows.map((li) => [li.dataset.actionId, li.dataset.kind,
      [...li.classList].filter((c) => c !== 'fresh').join(' '),
      li.querySelector('use').getAttribute('href'), li.textContent]),
    key_events: rows.filter((li) => li.offsetParent !== null).map((li) => li.textContent),
    stats: [...document.querySelectorAll('[data-stats-rows] tr')].map((tr) => [tr.dataset.stat,
      tr.querySelector('.home').textContent, tr.querySelector('.away').textContent]),
    momentum: [...document.querySelectorAll('[data-momentum] svg rect.bar')].map((bar) =>
      [bar.getAttribute('class'), bar.dataset.minute, bar.getAttribute('height')]),
    score: document.querySelector('[data-score]').textContent.replace(/\\s/g, ''),
    period: document.querySelector('[data-period]').textContent,
    periods: document.querySelector('[data-periods]').innerText,
    kinds: Object.fromEntries([...window.matchCentre.centre.actions.values()]
      .map((a) => [a.action_id, a.row.kind])),
  };
}"""


def played_through(pages: Pages, start_live: StartLive, variant: MatchVariant) -> dict[str, Any]:
    """One match played live through the product, watched from before kick-off; what the
    open page drew from the websocket, and what a page rendered after the match draws."""
    fixture_id = fixture_id_where(lambda m: m.has_disallowed_goal)
    live = start_live(fixture_id, lead_seconds=3, variant=variant)
    page = pages.open(f"/fixtures/{fixture_id}/")
    page.wait_for_selector('[data-connection="finished"]', timeout=60_000)
    live.listener.result(timeout=30)
    watched = drawn(page)
    page.reload()
    page.wait_for_selector("[data-stats-rows] tr")
    rendered = drawn(page)
    type_ids = set(Action.objects.filter(fixture=live.fixture).values_list("type_id", flat=True))
    page.close()
    Fixture.objects.filter(pk=fixture_id).delete()  # the next run stores the same match again
    return {"watched": watched, "rendered": rendered, "type_ids": type_ids}


def drawn(page: Page) -> dict[str, Any]:
    # Stats and momentum are redrawn shortly after the last change (match.js debounces).
    wait_until_true(page, "window.matchCentre && !window.matchCentre.drawing")
    result: dict[str, Any] = page.evaluate(DRAWN)
    return result


def test_a_renumbered_feed_draws_the_same_match_centre_as_the_feed_as_sent(
    pages: Pages, live_match: StartLive
) -> None:
    as_sent = played_through(pages, live_match, MatchVariant())
    renumbered = played_through(pages, live_match, MatchVariant(numbering=SHIFTED_NUMBERING))

    # The second feed really was numbered otherwise: every id we chose moved.
    ours = {t for t in as_sent["type_ids"] if t is not None} - VENDOR_DOCUMENTED_TYPE_IDS
    assert ours and not ours & renumbered["type_ids"]
    watched = as_sent["watched"]
    assert renumbered["watched"] == watched
    assert renumbered["rendered"] == as_sent["rendered"]
    # ... and what it drew is a real match centre, not two identical empty ones.
    kinds = {kind for _, kind, classes, *_ in watched["timeline"] if "key" in classes.split()}
    assert {"goal", "yellow_card", "substitution_on"} <= kinds
    assert any("after a video check" in text for *_, text in watched["timeline"])
    stats = {label: (home, away) for label, home, away in watched["stats"]}
    assert all(int(stats[label][0]) + int(stats[label][1]) > 0 for label in ("Fouls", "Corners"))
    assert any(float(height) > 0 for _, _, height in watched["momentum"])
    # The page rendered afterwards agrees with what the websocket drew live.
    assert as_sent["rendered"]["kinds"] == watched["kinds"]
    assert as_sent["rendered"]["timeline"] == watched["timeline"]
    assert as_sent["rendered"]["stats"] == watched["stats"]


def invented_match_stored_up_to_its_first_invented_action() -> tuple[Fixture, str]:
    variant = MatchVariant(invent_types=1)
    kickoff = (timezone.now() - dt.timedelta(minutes=30)).replace(microsecond=0)
    match = generate_match(fixture_id_where(lambda m: True), kickoff, variant=variant)
    packets = match_packets(match)
    invented = next(i for i, p in enumerate(packets) if (p.action.type_id or 0) >= 90_000)
    fixture = store_match(match, packets[: invented + 1])
    return fixture, packets[invented].action.type_name


def test_a_type_never_seen_before_is_shown_by_name_and_becomes_a_goal_when_staff_say_so(
    pages: Pages,
) -> None:
    fixture, name = invented_match_stored_up_to_its_first_invented_action()
    assert not fixture.finished  # its page keeps its websocket open
    invented = ActionType.objects.get(name=name)
    assert invented.kind == "other"

    viewer = pages.open(f"/fixtures/{fixture.id}/")
    viewer.wait_for_selector('[data-connection="live"]')
    row = viewer.locator("[data-timeline] > li", has_text=name)
    assert row.count() >= 1 and row.first.get_attribute("data-kind") == "other"
    assert "key" not in (row.first.get_attribute("class") or "")

    User.objects.create_superuser("catalogue-staff", password=PASSWORD)
    staff = pages.open("/admin/login/")
    staff.fill("#id_username", "catalogue-staff")
    staff.fill("#id_password", PASSWORD)
    staff.click("input[type=submit]")
    staff.wait_for_selector("#user-tools")
    staff.goto(f"{pages.server}/admin/streams/actiontype/?kind__exact=other")
    listed = staff.locator("#result_list tbody tr", has_text=name)
    assert listed.count() == 1
    cells = listed.locator("td").all_inner_texts()
    assert str(fixture.id) not in cells  # fixtures are counted, and linked on its page
    assert "1" in [cell.strip() for cell in cells]  # one fixture sent it
    staff.goto(f"{pages.server}/admin/streams/actiontype/{invented.pk}/change/")
    assert staff.locator(f'a[href="/admin/streams/fixture/{fixture.id}/change/"]').count() == 1
    staff.select_option("#id_kind", "goal")
    staff.click("input[name=_save]")
    staff.wait_for_selector(".messagelist .success")

    # The open page redraws from a fresh snapshot: the row is now a key event, a goal.
    wait_for(lambda: row.first.get_attribute("data-kind") == "goal", timeout=15)
    assert "key" in (row.first.get_attribute("class") or "")
    assert row.first.locator("use").get_attribute("href") == "#i-goal"
    invented.refresh_from_db()
    assert invented.kind == "goal" and invented.kind_set_by_staff
    # And so does every page rendered from now on.
    later = pages.open(f"/fixtures/{fixture.id}/", javascript=False)
    rendered = later.locator('[data-timeline] > li[data-kind="goal"]', has_text=name)
    assert rendered.count() == row.count() and rendered.first.is_visible()  # in "Key events"
