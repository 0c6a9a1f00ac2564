"""A long match's page stays bounded: its newest rows and earlier key events drawn, a table
of what the browser counts with, and the whole log on paged pages (streams/meaning/page.py)."""

from __future__ import annotations

import json
import re
import uuid
from typing import Any

import pytest
from django.test import Client

from streams.catalogue import timeline_actions
from streams.feed.writer import store_packets
from streams.meaning import page
from streams.models import Fixture
from tests.support.long_match import GOALS_AT, hostile_packets, new_fixture
from tests.support.pages import timeline_rows

ACTIONS = 3_000
PAGE_BYTES = 2_000_000


@pytest.fixture(scope="module")
def long_match(django_db_setup: None, django_db_blocker: Any) -> Any:
    """One stored 3,000-action hostile match for the module's tests."""
    with django_db_blocker.unblock():
        fixture = new_fixture("A long match")
        store_packets(fixture.id, hostile_packets(fixture.id, ACTIONS))
        yield fixture
        fixture.delete()


def actions_in_order(fixture: Fixture) -> list[str]:
    rows = timeline_actions(fixture.id)
    return [str(a) for a in rows.values_list("action_id", flat=True)]


def embedded(html: str, element_id: str) -> Any:
    found = re.search(rf'<script id="{element_id}" type="application/json">(.*?)</script>', html)
    assert found, element_id
    return json.loads(found.group(1))


@pytest.mark.django_db
def test_the_page_of_a_long_hostile_match_is_small_and_draws_its_newest_rows_and_key_events(
    long_match: Fixture,
) -> None:
    client = Client()
    url = f"/fixtures/{long_match.id}/"
    response = client.get(url)

    assert response.status_code == 200
    assert len(response.content) < PAGE_BYTES, f"match page of {len(response.content)} bytes"
    html = response.content.decode()
    order = actions_in_order(long_match)
    assert len(order) == ACTIONS
    goals = [order[seq - 1] for seq in GOALS_AT]
    drawn = list(timeline_rows(html))
    newest = order[-page.RECENT_ROWS :]
    # The earlier goals, then the newest rows, in timeline order; the goal among the
    # newest is drawn once.
    assert drawn == [g for g in goals if g not in newest] + newest
    assert "Every action, in pages" in html and f"of {ACTIONS} actions" in html

    # The table holds every action, with no name nor metadata but the clock's adjustment.
    table = embedded(html, "actions-data")
    assert table["fields"] == [*page.COUNTED_FIELDS, "kind", "detail", "metadata"]
    rows = [dict(zip(table["fields"], values, strict=True)) for values in table["rows"]]
    assert [r["action_id"] for r in rows] == order
    assert [r["kind"] for r in rows if r["kind"] == "goal"] == ["goal"] * len(GOALS_AT)
    assert [r["metadata"] for r in rows if r["metadata"] is not None] == [{"adjustmentSeconds": 30}]
    assert "HYPERLINK" not in json.dumps(table) and "calc" not in json.dumps(table)
    assert "W" * 200 not in html and "<script>alert" not in html and "\u202e" not in html


@pytest.mark.django_db
def test_every_action_of_a_long_match_is_on_its_paged_log_once_in_order(
    long_match: Fixture,
) -> None:
    client = Client()
    url = f"/fixtures/{long_match.id}/actions/"
    pages = -(-ACTIONS // page.LOG_PAGE_ROWS)
    seen: list[str] = []
    for number in range(1, pages + 1):
        response = client.get(url, {"page": number})
        assert response.status_code == 200
        html = response.content.decode()
        assert f"Page {number} of {pages}" in html
        assert len(response.content) < PAGE_BYTES
        seen += list(timeline_rows(html))
    assert seen == actions_in_order(long_match)

    # A page number that is not one shows the nearest page rather than an error.
    last = client.get(url, {"page": pages + 5}).content.decode()
    assert list(timeline_rows(last)) == seen[(pages - 1) * page.LOG_PAGE_ROWS :]
    assert (
        list(timeline_rows(client.get(url, {"page": "x"}).content.decode()))
        == seen[: page.LOG_PAGE_ROWS]
    )


@pytest.mark.django_db
def test_a_short_match_is_drawn_whole_with_no_link_to_the_log() -> None:
    client = Client()
    fixture = new_fixture("A short match")
    store_packets(fixture.id, hostile_packets(fixture.id, 10))

    html = client.get(f"/fixtures/{fixture.id}/").content.decode()

    assert list(timeline_rows(html)) == actions_in_order(fixture)
    assert "Every action, in pages" not in html
    assert client.get(f"/fixtures/{uuid.uuid4()}/actions/").status_code == 404


def test_rows_shown_are_the_newest_and_the_key_events_before_them() -> None:
    def action(number: int, key: bool) -> dict[str, Any]:
        return {"action_id": str(number), "row": {"key": key, "divider": False}}

    count = page.RECENT_ROWS + 2 * page.KEY_ROWS + 50
    actions = [action(n, key=n % 2 == 0) for n in range(count)]

    shown = [a["action_id"] for a in page.rows_shown(actions)]

    earlier_keys = [str(n) for n in range(count - page.RECENT_ROWS) if n % 2 == 0]
    newest = [str(n) for n in range(count - page.RECENT_ROWS, count)]
    assert shown == earlier_keys[-page.KEY_ROWS :] + newest
    assert len(earlier_keys) > page.KEY_ROWS  # the cap on earlier key events was met
