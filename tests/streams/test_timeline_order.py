"""The timeline's order in Postgres (streams/catalogue.py TIMELINE_ORDER): by match time,
the vendor's timeline sequence only breaking ties; tests/js/actions.test.mjs holds the
browser's compareActions() to the same cases."""

from __future__ import annotations

import uuid
from collections.abc import Callable

import pytest

from streams.catalogue import timeline_actions
from streams.models import Action, Fixture

pytestmark = pytest.mark.django_db

# (name, period, clock, timeline sequence), in the order the timeline must show them.
IN_ORDER = [
    ("set-up", 0, "00:00", 50.0),
    ("kick-off", 1, "00:00", 1.0),
    ("early", 1, "09:00", 3.0),
    ("later", 1, "10:00", 2.0),
    ("same moment, first", 1, "12:00", 4.0),
    ("same moment, second", 1, "12:00", 5.0),
    ("first-half stoppage", 1, "47:10", 7.0),
    ("second half", 2, "45:00", 6.0),
    ("red card", 2, "53:07", 10.0),  # the review of 54:40 was logged before it
    ("video check over", 2, "54:40", 9.0),
    ("extra time", 3, "99:59", 12.0),
    ("late in extra time", 3, "105:00", 11.0),
    ("no period", None, "01:00", 0.5),
]


def test_actions_are_in_match_order_with_the_timeline_sequence_breaking_ties(
    make_fixture: Callable[..., Fixture],
) -> None:
    fixture = make_fixture()
    names = {}
    shuffled = IN_ORDER[::2] + IN_ORDER[1::2]
    for position, (name, period, clock, sequence) in enumerate(shuffled):
        action = Action.objects.create(
            fixture=fixture,
            action_id=uuid.uuid4(),
            type_name=name,
            period=period,
            clock_time=clock,
            timeline_sequence=sequence,
            first_position=position,
            last_position=position,
        )
        names[action.action_id] = name

    shown = [names[a.action_id] for a in timeline_actions(fixture.id)]

    assert shown == [name for name, *_ in IN_ORDER]
