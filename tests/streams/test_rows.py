"""Rows as the server writes them (streams/meaning/rows.py) and the payloads it reads them
from (streams/catalogue.py timeline_payloads)."""

from __future__ import annotations

import re
import uuid
from typing import Any

import pytest

from streams.catalogue import describe_payloads, timeline_actions, timeline_payloads
from streams.meaning.rows import row_html
from streams.simulator import generate_match
from tests.conftest import store_match
from tests.streams.test_views import KICKOFF, NAMESPACE


@pytest.mark.django_db
def test_payloads_read_as_values_are_the_models_payloads() -> None:
    fixture = store_match(generate_match(uuid.uuid5(NAMESPACE, "rows"), KICKOFF))
    expected = [action.to_payload() for action in timeline_actions(fixture.id)]
    assert len(expected) > 100
    assert timeline_payloads(fixture.id) == expected


def hostile_row(**changes: Any) -> dict[str, Any]:
    row = {
        "kind": "goal", "icon": "goal", "key": True, "divider": False, "side": "home",
        "state": "confirmed", "title": '<img src=x onerror="alert(1)">', "who": "=1+1 & co",
        "note": "</li><li>", "clock": '12:00"', "minute": "13'", "detail": "",
        "delayed": False, "sentence": "Goal! <b>", "panel": None, **changes,
    }  # fmt: skip
    return {"action_id": 'a"b', "row": row}


def test_every_value_in_a_row_is_escaped() -> None:
    html = row_html(hostile_row(), running="1–0<")

    assert "<img" not in html and "</li><li>" not in html and "<b>" not in html
    assert "&lt;img src=x onerror=&quot;alert(1)&quot;&gt;" in html
    assert 'data-action-id="a&quot;b"' in html and 'title="12:00&quot;"' in html
    assert html.count("<li") == 1 and html.endswith("</li>")
    assert '<span class="running">1–0&lt;</span>' in html
    assert re.search(r'<li class="action home confirmed key"', html)


def test_a_routine_row_and_a_band_are_classed_so() -> None:
    routine = row_html(hostile_row(key=False, sentence=""))
    band = row_html(hostile_row(key=False, divider=True, delayed=True))
    assert '<li class="action home confirmed routine"' in routine
    assert '<li class="action home confirmed divider"' in band
    assert '<span class="late">Sent late</span>' in band and 'class="late" hidden' in routine


@pytest.mark.django_db
def test_described_payloads_carry_rows() -> None:
    fixture = store_match(generate_match(uuid.uuid5(NAMESPACE, "rows-2"), KICKOFF))
    described = describe_payloads(fixture.id, timeline_payloads(fixture.id), all_of_them=True)
    assert described and all("row" in action and action["row"]["minute"] is not None
                             for action in described)  # fmt: skip
